import { startTestSystem, type GraphQLResponse, type TestSystem } from '@rideshare/testing';

type GraphQLError = NonNullable<GraphQLResponse['errors']>[number];

interface Point {
  latitude: number;
  longitude: number;
}

const KM_PER_DEGREE_LATITUDE = 111.19;
/** A point `km` north (negative: south) of `from`. */
const north = (from: Point, km: number): Point => ({
  latitude: from.latitude + km / KM_PER_DEGREE_LATITUDE,
  longitude: from.longitude,
});

const SEATTLE: Point = { latitude: 47.6062, longitude: -122.3321 };
const SPACE_NEEDLE: Point = { latitude: 47.6205, longitude: -122.3493 };

const car = { make: 'Toyota', model: 'Prius', year: 2021, color: 'Blue', licensePlate: 'abc123' };

const CREATE_DRIVER = `
  mutation ($input: CreateDriverInput!) {
    createDriver(input: $input) {
      code firstName lastName isAcceptingRides
      car { make model year color licensePlate }
      location { latitude longitude }
    }
  }`;
const REGISTER_PASSENGER = `
  mutation ($input: RegisterPassengerInput!) {
    registerPassenger(input: $input) { code firstName lastName email mobileNumber }
  }`;
const REQUEST_TRIP = `
  mutation ($input: RequestTripInput!) {
    requestTrip(input: $input) {
      code type status version requestedAt
      source { latitude longitude } destination { latitude longitude }
      passenger { code } driver { code } availableDrivers { code }
      events { type version status occurredAt }
    }
  }`;
const COUNTS = `{
  drivers(limit: 200) { code }
  passengers(limit: 200) { code }
  tripStats { total }
}`;

interface Counts {
  drivers: number;
  passengers: number;
  trips: number;
}

describe('the federated graph through the gateway', () => {
  let system: TestSystem;

  /** Runs an operation and fails, showing the errors, unless it succeeded. */
  async function ok<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) {
    const res = await system.query<T>(query, variables);
    expect(res.errors).toBeUndefined();
    if (!res.data) throw new Error(`no data for ${query}`);
    return res.data;
  }

  /** Runs an operation that must fail, and returns its only error. */
  async function failing(query: string, variables?: Record<string, unknown>): Promise<GraphQLError> {
    const res = await system.query(query, variables);
    expect(res.errors).toHaveLength(1);
    return res.errors![0]!;
  }

  async function counts(): Promise<Counts> {
    const data = await ok<{
      drivers: unknown[];
      passengers: unknown[];
      tripStats: { total: number };
    }>(COUNTS);
    return { drivers: data.drivers.length, passengers: data.passengers.length, trips: data.tripStats.total };
  }

  async function createDriver(input: Record<string, unknown>) {
    return (await ok<{ createDriver: { code: string } }>(CREATE_DRIVER, { input })).createDriver;
  }

  async function registerPassenger(input: Record<string, unknown>) {
    return (await ok<{ registerPassenger: { code: string; email: string } }>(REGISTER_PASSENGER, { input }))
      .registerPassenger;
  }

  async function requestTrip(passengerCode: string, source = SEATTLE, destination = SPACE_NEEDLE) {
    const data = await ok<{ requestTrip: { code: string; requestedAt: string } }>(REQUEST_TRIP, {
      input: { passengerCode, source, destination },
    });
    return data.requestTrip;
  }

  beforeAll(async () => {
    system = await startTestSystem({}, { workers: false }); // the graph alone: no lifecycle workers move trips on
  });

  afterAll(async () => {
    await system?.stop();
  });

  describe('one query across all three subgraphs', () => {
    it('should resolve trip → passenger → passenger.trips and driver → trips, currentTrip and car', async () => {
      await createDriver({ code: 'X-DRIVER', firstName: 'Xena', lastName: 'Doe', car, location: SEATTLE });
      await registerPassenger({
        code: 'X-PASS',
        firstName: 'Pat',
        lastName: 'Rider',
        email: 'pat.rider@example.com',
      });
      const first = await requestTrip('X-PASS');
      const second = await requestTrip('X-PASS', SPACE_NEEDLE, SEATTLE);

      const data = await ok(
        `query ($trip: ID!, $driver: ID!) {
          trip(code: $trip) {
            code status version
            availableDrivers { code firstName }
            driver { code }
            passenger {
              code email firstName
              trips { code status }
            }
          }
          driver(code: $driver) {
            code firstName
            car { make model year color licensePlate }
            trips { code }
            currentTrip { code }
          }
        }`,
        { trip: first.code, driver: 'X-DRIVER' },
      );

      expect(data).toEqual({
        trip: {
          code: first.code,
          status: 'REQUESTED',
          version: 1,
          availableDrivers: [],
          driver: null,
          passenger: {
            code: 'X-PASS',
            email: 'pat.rider@example.com',
            firstName: 'Pat',
            // Newest first.
            trips: [
              { code: second.code, status: 'REQUESTED' },
              { code: first.code, status: 'REQUESTED' },
            ],
          },
        },
        driver: {
          code: 'X-DRIVER',
          firstName: 'Xena',
          car: { make: 'Toyota', model: 'Prius', year: 2021, color: 'Blue', licensePlate: 'ABC123' },
          trips: [],
          currentTrip: null,
        },
      });
    });
  });

  describe('drivers subgraph mutations', () => {
    it('should create a driver, with a generated code when none is given', async () => {
      const created = await ok<{ createDriver: Record<string, unknown> }>(CREATE_DRIVER, {
        input: { code: 'M-D1', firstName: ' Ada ', lastName: 'Lovelace', car, location: SEATTLE },
      });
      expect(created.createDriver).toEqual({
        code: 'M-D1',
        firstName: 'Ada',
        lastName: 'Lovelace',
        isAcceptingRides: true,
        car: { ...car, licensePlate: 'ABC123' },
        location: SEATTLE,
      });

      const generated = await createDriver({ firstName: 'Grace', lastName: 'Hopper', car });
      expect(generated.code).toMatch(/^[A-Z2-9]{8}$/);
      expect(
        await ok(`query ($code: ID!) { driver(code: $code) { code location { latitude } } }`, generated),
      ).toEqual({ driver: { code: generated.code, location: null } });
    });

    it('should update a driver and leave fields that were not given unchanged', async () => {
      await createDriver({ code: 'M-D2', firstName: 'Alan', lastName: 'Turing', car });
      const newCar = { make: 'Tesla', model: 'Model 3', year: 2023, color: 'Red', licensePlate: 'xyz-987' };

      const updated = await ok(
        `mutation ($code: ID!, $input: UpdateDriverInput!) {
          updateDriver(code: $code, input: $input) { code firstName lastName car { make model year color licensePlate } }
        }`,
        { code: 'M-D2', input: { firstName: 'Alonzo', car: newCar } },
      );
      const expected = {
        code: 'M-D2',
        firstName: 'Alonzo',
        lastName: 'Turing',
        car: { ...newCar, licensePlate: 'XYZ-987' },
      };
      expect(updated).toEqual({ updateDriver: expected });
      expect(
        await ok(
          `{ driver(code: "M-D2") { code firstName lastName car { make model year color licensePlate } } }`,
        ),
      ).toEqual({ driver: expected });
    });

    it('should update a driver location and list the location history newest first', async () => {
      await createDriver({ code: 'M-D3', firstName: 'Linus', lastName: 'Torvalds', car });
      const path = [SEATTLE, north(SEATTLE, 1), north(SEATTLE, 2)];
      for (const location of path) {
        const res = await ok(
          `mutation ($code: ID!, $location: GeoPointInput!) {
            updateDriverLocation(code: $code, location: $location) { code location { latitude longitude } }
          }`,
          { code: 'M-D3', location },
        );
        expect(res).toEqual({ updateDriverLocation: { code: 'M-D3', location } });
      }

      const data = await ok<{
        driver: {
          location: Point;
          locationHistory: Array<{ location: Point; recordedAt: string }>;
          latest: Array<{ location: Point }>;
        };
      }>(`{
        driver(code: "M-D3") {
          location { latitude longitude }
          locationHistory { location { latitude longitude } recordedAt }
          latest: locationHistory(limit: 1) { location { latitude longitude } }
        }
      }`);
      expect(data.driver.location).toEqual(path[2]);
      expect(data.driver.locationHistory.map((h) => h.location)).toEqual([...path].reverse());
      const times = data.driver.locationHistory.map((h) => Date.parse(h.recordedAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(data.driver.latest).toEqual([{ location: path[2] }]);
    });

    it('should set driver availability and reflect it in activeDrivers', async () => {
      await createDriver({ code: 'M-D4', firstName: 'Barbara', lastName: 'Liskov', car });
      const activeCodes = async () =>
        (
          await ok<{ activeDrivers: Array<{ code: string }> }>(`{ activeDrivers(limit: 200) { code } }`)
        ).activeDrivers.map((d) => d.code);
      expect(await activeCodes()).toContain('M-D4');

      const setAvailability = (isAcceptingRides: boolean) =>
        ok(
          `mutation ($code: ID!, $on: Boolean!) {
            setDriverAvailability(code: $code, isAcceptingRides: $on) { code isAcceptingRides }
          }`,
          { code: 'M-D4', on: isAcceptingRides },
        );
      expect(await setAvailability(false)).toEqual({
        setDriverAvailability: { code: 'M-D4', isAcceptingRides: false },
      });
      expect(await activeCodes()).not.toContain('M-D4');
      expect(await ok(`{ driver(code: "M-D4") { isAcceptingRides } }`)).toEqual({
        driver: { isAcceptingRides: false },
      });

      await setAvailability(true);
      expect(await activeCodes()).toContain('M-D4');
    });

    it('should delete a driver, after which the driver is not found', async () => {
      await createDriver({ code: 'M-D5', firstName: 'Edsger', lastName: 'Dijkstra', car, location: SEATTLE });
      const before = await counts();

      expect(await ok(`mutation { deleteDriver(code: "M-D5") }`)).toEqual({ deleteDriver: true });

      expect(await counts()).toEqual({ ...before, drivers: before.drivers - 1 });
      const error = await failing(`{ driver(code: "M-D5") { code } }`);
      expect(error.extensions).toMatchObject({ code: 'NOT_FOUND', serviceName: 'drivers' });
      const again = await failing(`mutation { deleteDriver(code: "M-D5") }`);
      expect(again.extensions).toMatchObject({ code: 'NOT_FOUND', serviceName: 'drivers' });
    });
  });

  describe('passengers subgraph mutations', () => {
    it('should register a passenger with a lower-cased email and update the profile', async () => {
      const registered = await ok(REGISTER_PASSENGER, {
        input: {
          code: 'M-P1',
          firstName: 'Mary',
          lastName: 'Jackson',
          email: 'Mary.Jackson@Example.COM',
          mobileNumber: '+1 (206) 555-0100',
        },
      });
      expect(registered).toEqual({
        registerPassenger: {
          code: 'M-P1',
          firstName: 'Mary',
          lastName: 'Jackson',
          email: 'mary.jackson@example.com',
          mobileNumber: '+1 (206) 555-0100',
        },
      });

      const updated = await ok(
        `mutation ($code: ID!, $input: UpdatePassengerInput!) {
          updatePassenger(code: $code, input: $input) { code firstName lastName email mobileNumber }
        }`,
        { code: 'M-P1', input: { lastName: 'Johnson', email: 'MJ@example.org' } },
      );
      const expected = {
        code: 'M-P1',
        firstName: 'Mary',
        lastName: 'Johnson',
        email: 'mj@example.org',
        mobileNumber: '+1 (206) 555-0100',
      };
      expect(updated).toEqual({ updatePassenger: expected });
      expect(await ok(`{ passenger(code: "M-P1") { code firstName lastName email mobileNumber } }`)).toEqual({
        passenger: expected,
      });
    });
  });

  describe('trips subgraph', () => {
    it('should request a trip as REQUESTED at version 1 with one TRIP_REQUESTED event', async () => {
      await registerPassenger({
        code: 'M-P2',
        firstName: 'Ada',
        lastName: 'Rider',
        email: 'ada@example.com',
      });
      const started = Date.now();

      const data = await ok<{
        requestTrip: { code: string; requestedAt: string; events: Array<{ occurredAt: string }> };
      }>(REQUEST_TRIP, {
        input: { passengerCode: 'M-P2', source: SEATTLE, destination: SPACE_NEEDLE, type: 'DEMO' },
      });

      const trip = data.requestTrip;
      expect(trip.code).toMatch(/^[A-Z2-9]{8}$/);
      expect(trip).toEqual({
        code: trip.code,
        type: 'DEMO',
        status: 'REQUESTED',
        version: 1,
        requestedAt: trip.requestedAt,
        source: SEATTLE,
        destination: SPACE_NEEDLE,
        passenger: { code: 'M-P2' },
        driver: null,
        availableDrivers: [],
        events: [{ type: 'TRIP_REQUESTED', version: 1, status: 'REQUESTED', occurredAt: trip.requestedAt }],
      });
      expect(Date.parse(trip.requestedAt)).toBeGreaterThanOrEqual(started - 1);
      expect(Date.parse(trip.requestedAt)).toBeLessThanOrEqual(Date.now());
      // Stored as returned.
      expect(await ok(`query ($code: ID!) { trip(code: $code) { code type status version } }`, trip)).toEqual(
        {
          trip: { code: trip.code, type: 'DEMO', status: 'REQUESTED', version: 1 },
        },
      );
    });

    it('should list requested and active trips newest first and count them in tripStats', async () => {
      const STATS = `{ tripStats { total byStatus { status count } averageDurationSeconds } }`;
      type Stats = {
        tripStats: {
          total: number;
          byStatus: Array<{ status: string; count: number }>;
          averageDurationSeconds: number | null;
        };
      };
      const before = (await ok<Stats>(STATS)).tripStats;
      const requestedBefore = before.byStatus.find((s) => s.status === 'REQUESTED')?.count ?? 0;

      await registerPassenger({
        code: 'M-P3',
        firstName: 'Tim',
        lastName: 'Rider',
        email: 'tim@example.com',
      });
      const mine = [];
      for (let i = 0; i < 3; i++)
        mine.push((await requestTrip('M-P3', north(SEATTLE, i), SPACE_NEEDLE)).code);

      const stats = (await ok<Stats>(STATS)).tripStats;
      // Nothing but requestTrip runs here: every trip is REQUESTED and none completed.
      expect(stats).toEqual({
        total: before.total + 3,
        byStatus: [{ status: 'REQUESTED', count: requestedBefore + 3 }],
        averageDurationSeconds: null,
      });

      type TripRow = { code: string; status: string; requestedAt: string };
      const lists = await ok<{
        requested: TripRow[];
        active: TripRow[];
        notified: TripRow[];
        all: TripRow[];
      }>(`{
        requested: trips(status: REQUESTED, limit: 200) { code status requestedAt }
        active: activeTrips(limit: 200) { code status requestedAt }
        notified: trips(status: DRIVERS_NOTIFIED) { code }
        all: trips(limit: 200) { code status requestedAt }
      }`);
      for (const list of [lists.requested, lists.active, lists.all]) {
        expect(list).toHaveLength(stats.total);
        expect(list.every((t) => t.status === 'REQUESTED')).toBe(true);
        expect(list.map((t) => t.code)).toEqual(expect.arrayContaining(mine));
        const times = list.map((t) => Date.parse(t.requestedAt));
        expect(times).toEqual([...times].sort((a, b) => b - a));
      }
      // The three just requested are the newest.
      expect(lists.requested.slice(0, 3).map((t) => t.code)).toEqual([...mine].reverse());
      expect(lists.notified).toEqual([]);

      const limited = await ok<{ trips: TripRow[] }>(`{ trips(status: REQUESTED, limit: 2) { code } }`);
      expect(limited.trips).toEqual([{ code: mine[2] }, { code: mine[1] }]);
    });
  });

  describe('driversNear', () => {
    const CENTER: Point = { latitude: 10, longitude: 20 };
    const NEAR = `query ($location: GeoPointInput!, $radiusKm: Float!, $limit: Int) {
      driversNear(location: $location, radiusKm: $radiusKm, limit: $limit) { code }
    }`;
    const near = async (radiusKm: number, limit?: number) =>
      (
        await ok<{ driversNear: Array<{ code: string }> }>(NEAR, { location: CENTER, radiusKm, limit })
      ).driversNear.map((d) => d.code);

    beforeAll(async () => {
      // Created out of distance order, with codes that do not sort by distance either.
      const at = [
        { code: 'N-C-8KM', location: north(CENTER, 8) },
        { code: 'N-D-1KM', location: north(CENTER, 1) },
        { code: 'N-A-30KM', location: north(CENTER, 30) },
        { code: 'N-B-3KM', location: north(CENTER, -3) },
      ];
      for (const { code, location } of at) {
        await createDriver({ code, firstName: 'Near', lastName: code, car, location });
      }
      await createDriver({
        code: 'N-E-2KM-OFF',
        firstName: 'Off',
        lastName: 'Duty',
        car,
        location: north(CENTER, 2),
        isAcceptingRides: false,
      });
      await createDriver({ code: 'N-F-NOWHERE', firstName: 'No', lastName: 'Location', car });
    });

    it('should list accepting drivers within the radius, nearest first', async () => {
      expect(await near(50)).toEqual(['N-D-1KM', 'N-B-3KM', 'N-C-8KM', 'N-A-30KM']);
    });

    it('should cut off at the radius', async () => {
      expect(await near(0.5)).toEqual([]);
      expect(await near(2)).toEqual(['N-D-1KM']);
      expect(await near(5)).toEqual(['N-D-1KM', 'N-B-3KM']);
      expect(await near(7.9)).toEqual(['N-D-1KM', 'N-B-3KM']);
      expect(await near(8.1)).toEqual(['N-D-1KM', 'N-B-3KM', 'N-C-8KM']);
      expect(await near(29.9)).toEqual(['N-D-1KM', 'N-B-3KM', 'N-C-8KM']);
    });

    it('should return at most limit drivers, the nearest ones', async () => {
      expect(await near(50, 2)).toEqual(['N-D-1KM', 'N-B-3KM']);
      expect(await near(50, 1)).toEqual(['N-D-1KM']);
    });

    it('should exclude a driver who is not accepting rides, and include them once they are', async () => {
      expect(await near(2.5)).toEqual(['N-D-1KM']);
      await ok(`mutation { setDriverAvailability(code: "N-E-2KM-OFF", isAcceptingRides: true) { code } }`);
      expect(await near(2.5)).toEqual(['N-D-1KM', 'N-E-2KM-OFF']);
      await ok(`mutation { setDriverAvailability(code: "N-D-1KM", isAcceptingRides: false) { code } }`);
      expect(await near(2.5)).toEqual(['N-E-2KM-OFF']);
    });
  });

  describe('unknown codes', () => {
    it.each([
      ['driver', `{ driver(code: "NO-SUCH") { code } }`, 'drivers', 'Driver'],
      ['passenger', `{ passenger(code: "NO-SUCH") { code } }`, 'passengers', 'Passenger'],
      ['trip', `{ trip(code: "NO-SUCH") { code } }`, 'trips', 'Trip'],
      [
        'updateDriver',
        `mutation { updateDriver(code: "NO-SUCH", input: { firstName: "X" }) { code } }`,
        'drivers',
        'Driver',
      ],
      [
        'updatePassenger',
        `mutation { updatePassenger(code: "NO-SUCH", input: { firstName: "X" }) { code } }`,
        'passengers',
        'Passenger',
      ],
      [
        'updateDriverLocation',
        `mutation { updateDriverLocation(code: "NO-SUCH", location: { latitude: 1, longitude: 1 }) { code } }`,
        'drivers',
        'Driver',
      ],
      [
        'requestTrip with an unknown passenger',
        `mutation {
          requestTrip(input: {
            passengerCode: "NO-SUCH",
            source: { latitude: 47.6, longitude: -122.3 },
            destination: { latitude: 47.7, longitude: -122.2 }
          }) { code }
        }`,
        'trips',
        'Passenger',
      ],
    ])(
      'should answer %s with NOT_FOUND from its subgraph and write nothing',
      async (_name, query, service, type) => {
        const before = await counts();
        const error = await failing(query);
        expect(error.extensions).toMatchObject({
          code: 'NOT_FOUND',
          serviceName: service,
          type,
          key: 'NO-SUCH',
        });
        expect(error.message).toBe(`${type} "NO-SUCH" was not found`);
        expect(await counts()).toEqual(before);
      },
    );
  });

  describe('invalid input', () => {
    const location = (latitude: number, longitude: number) => ({ latitude, longitude });
    const driverInput = (over: Record<string, unknown>) => ({
      firstName: 'Val',
      lastName: 'Idator',
      car,
      ...over,
    });
    const passengerInput = (over: Record<string, unknown>) => ({
      firstName: 'Val',
      lastName: 'Idator',
      email: 'val@example.com',
      ...over,
    });
    const NEAR = `query ($location: GeoPointInput!, $radiusKm: Float!) {
      driversNear(location: $location, radiusKm: $radiusKm) { code }
    }`;

    beforeAll(async () => {
      await registerPassenger({ code: 'V-P1', firstName: 'Val', lastName: 'Id', email: 'v-p1@example.com' });
      await createDriver({ code: 'V-D1', firstName: 'Val', lastName: 'Id', car, location: SEATTLE });
    });

    it.each<[string, string, Record<string, unknown>, string, string, string]>([
      [
        'createDriver with latitude 200',
        CREATE_DRIVER,
        { input: driverInput({ location: location(200, 0) }) },
        'drivers',
        'input.location',
        'latitude must be between -90 and 90, got 200',
      ],
      [
        'createDriver with longitude -181',
        CREATE_DRIVER,
        { input: driverInput({ location: location(0, -181) }) },
        'drivers',
        'input.location',
        'longitude must be between -180 and 180, got -181',
      ],
      [
        'createDriver with an empty first name',
        CREATE_DRIVER,
        { input: driverInput({ firstName: '' }) },
        'drivers',
        'input.firstName',
        'must not be empty',
      ],
      [
        'createDriver with a blank first name',
        CREATE_DRIVER,
        { input: driverInput({ firstName: '   ' }) },
        'drivers',
        'input.firstName',
        'must not be empty',
      ],
      [
        'updateDriverLocation with longitude -181',
        `mutation ($location: GeoPointInput!) { updateDriverLocation(code: "V-D1", location: $location) { code } }`,
        { location: location(47, -181) },
        'drivers',
        'location',
        'longitude must be between -180 and 180, got -181',
      ],
      [
        'updateDriver with a blank first name',
        `mutation { updateDriver(code: "V-D1", input: { firstName: "   " }) { code } }`,
        {},
        'drivers',
        'input.firstName',
        'must not be empty',
      ],
      [
        'registerPassenger with an empty first name',
        REGISTER_PASSENGER,
        { input: passengerInput({ firstName: '' }) },
        'passengers',
        'input.firstName',
        'must not be empty',
      ],
      [
        'registerPassenger with a blank first name',
        REGISTER_PASSENGER,
        { input: passengerInput({ firstName: '   ' }) },
        'passengers',
        'input.firstName',
        'must not be empty',
      ],
      [
        'registerPassenger with a bad email',
        REGISTER_PASSENGER,
        { input: passengerInput({ email: 'not-an-email' }) },
        'passengers',
        'input.email',
        'must be an email address, got "not-an-email"',
      ],
      [
        'updatePassenger with a bad email',
        `mutation { updatePassenger(code: "V-P1", input: { email: "not-an-email" }) { code } }`,
        {},
        'passengers',
        'input.email',
        'must be an email address, got "not-an-email"',
      ],
      [
        'requestTrip with source latitude 200',
        REQUEST_TRIP,
        { input: { passengerCode: 'V-P1', source: location(200, 0), destination: SEATTLE } },
        'trips',
        'input.source',
        'latitude must be between -90 and 90, got 200',
      ],
      [
        'requestTrip with destination longitude -181',
        REQUEST_TRIP,
        { input: { passengerCode: 'V-P1', source: SEATTLE, destination: location(0, -181) } },
        'trips',
        'input.destination',
        'longitude must be between -180 and 180, got -181',
      ],
      [
        'driversNear with latitude 200',
        NEAR,
        { location: location(200, 0), radiusKm: 10 },
        'drivers',
        'location',
        'latitude must be between -90 and 90, got 200',
      ],
      [
        'driversNear with radiusKm 0',
        NEAR,
        { location: SEATTLE, radiusKm: 0 },
        'drivers',
        'radiusKm',
        'must be greater than 0 and at most 500, got 0',
      ],
      [
        'driversNear with a negative radiusKm',
        NEAR,
        { location: SEATTLE, radiusKm: -5 },
        'drivers',
        'radiusKm',
        'must be greater than 0 and at most 500, got -5',
      ],
      [
        'drivers with a negative limit',
        `{ drivers(limit: -1) { code } }`,
        {},
        'drivers',
        'limit',
        'must be a positive integer, got -1',
      ],
      [
        'drivers with a huge limit',
        `{ drivers(limit: 100000) { code } }`,
        {},
        'drivers',
        'limit',
        'must be at most 200, got 100000',
      ],
    ])(
      'should refuse %s with BAD_USER_INPUT naming the field and write nothing',
      async (_name, query, variables, service, field, problem) => {
        const before = await counts();
        const driverBefore = await ok(
          `{ driver(code: "V-D1") { firstName location { latitude longitude } locationHistory { recordedAt } } }`,
        );
        const passengerBefore = await ok(`{ passenger(code: "V-P1") { email } }`);

        const error = await failing(query, variables);

        expect(error.message).toBe(`Invalid ${field}: ${problem}`);
        expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field, serviceName: service });
        expect(await counts()).toEqual(before);
        expect(
          await ok(
            `{ driver(code: "V-D1") { firstName location { latitude longitude } locationHistory { recordedAt } } }`,
          ),
        ).toEqual(driverBefore);
        expect(await ok(`{ passenger(code: "V-P1") { email } }`)).toEqual(passengerBefore);
      },
    );

    it('should refuse a second passenger with the same email, in any case, with CONFLICT and write nothing', async () => {
      const before = await counts();

      const error = await failing(REGISTER_PASSENGER, {
        input: passengerInput({ code: 'V-P2', email: 'V-P1@Example.com' }),
      });

      expect(error.extensions).toMatchObject({ code: 'CONFLICT', serviceName: 'passengers' });
      expect(error.message).toBe('A passenger with email "v-p1@example.com" already exists');
      expect(await counts()).toEqual(before);
      const missing = await failing(`{ passenger(code: "V-P2") { code } }`);
      expect(missing.extensions).toMatchObject({ code: 'NOT_FOUND' });
    });

    it('should refuse a second passenger with the same code with CONFLICT naming the code and write nothing', async () => {
      const before = await counts();

      const error = await failing(REGISTER_PASSENGER, {
        input: passengerInput({ code: 'V-P1', email: 'someone.else@example.com' }),
      });

      expect(error.extensions).toMatchObject({ code: 'CONFLICT', serviceName: 'passengers' });
      expect(error.message).toBe('Passenger "V-P1" already exists');
      expect(await counts()).toEqual(before);
      expect(await ok(`{ passenger(code: "V-P1") { email } }`)).toEqual({
        passenger: { email: 'v-p1@example.com' },
      });
    });

    it('should refuse a second driver with the same code with CONFLICT and write nothing', async () => {
      const before = await counts();

      const error = await failing(CREATE_DRIVER, {
        input: driverInput({ code: 'V-D1', firstName: 'Other' }),
      });

      expect(error.extensions).toMatchObject({ code: 'CONFLICT', serviceName: 'drivers' });
      expect(error.message).toBe('Driver "V-D1" already exists');
      expect(await counts()).toEqual(before);
      expect(await ok(`{ driver(code: "V-D1") { firstName } }`)).toEqual({ driver: { firstName: 'Val' } });
    });

    it('should refuse changing a passenger email to one that is taken with CONFLICT and keep the old one', async () => {
      await registerPassenger({ code: 'V-P3', firstName: 'Val', lastName: 'Id', email: 'v-p3@example.com' });

      const error = await failing(
        `mutation { updatePassenger(code: "V-P3", input: { email: "v-p1@example.com" }) { code } }`,
      );

      expect(error.extensions).toMatchObject({ code: 'CONFLICT', serviceName: 'passengers' });
      expect(await ok(`{ passenger(code: "V-P3") { email } }`)).toEqual({
        passenger: { email: 'v-p3@example.com' },
      });
    });
  });
});
