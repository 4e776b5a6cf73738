import crypto from 'node:crypto';
import fs from 'node:fs';
import { mintToken, readAuthConfig } from '@rideshare/common';
import { startTestSystem, waitFor, type TestSystem } from '@rideshare/testing';
import { dataOf, errorsOf, gql, type HttpResult } from './security-helpers';

/**
 * The demo simulator as a principal of its own (role `simulator`): it may accept a DEMO trip for a
 * driver it was offered to and move the driver of a DEMO trip, and nothing else; it holds a token of
 * its own, never the secret that mints tokens.
 *
 * The orchestrator runs (offers); the monitor and the accept window are long, so every trip stays
 * where the test put it. The simulator worker starts only in the last test.
 */

const RUN = crypto.randomBytes(3).toString('hex').toUpperCase();
const PASSENGER = `SPP${RUN}`;
/** Near the trips: offered every trip while free. */
const DRIVER_DEMO = `SPDD${RUN}`;
const DRIVER_NORMAL = `SPDN${RUN}`;
const DRIVER_IDLE = `SPDI${RUN}`;
/** Far away: never offered. */
const DRIVER_FAR = `SPDF${RUN}`;
const SIMULATOR = `SPSIM${RUN}`;

const PICKUP = { latitude: 45.5152, longitude: -122.6784 };
const DROP_OFF = { latitude: 45.5452, longitude: -122.6784 };
const FAR = { latitude: 42.3601, longitude: -71.0589 };
const car = (plate: string) => ({
  make: 'Kia',
  model: 'Niro',
  year: 2022,
  color: 'Green',
  licensePlate: plate,
});

const ACCEPT =
  'mutation ($code: ID!, $driverCode: ID!) { acceptTrip(code: $code, driverCode: $driverCode) { code status driver { code } } }';
/** As the simulator sends it: it may move a driver, not see where drivers are. */
const MOVE =
  'mutation ($code: ID!, $location: GeoPointInput!) { updateDriverLocation(code: $code, location: $location) { code } }';

describe('the simulator as a service principal', () => {
  let system: TestSystem;
  let url: string;
  let simulatorToken: string;
  let adminToken: string;
  const trips = { demo: '', normal: '', demoElsewhere: '' };

  const asSimulator = (query: string, variables?: Record<string, unknown>) =>
    gql(url, query, variables, simulatorToken);
  const asAdmin = <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) =>
    gql<T>(url, query, variables, adminToken);

  /** One FORBIDDEN error naming the simulator, and no data for the field. */
  const expectRefused = (res: HttpResult, field: string, reason: RegExp = /may not/) => {
    expect(res.status).toBe(200);
    const errors = errorsOf(res);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(errors[0]!.message).toMatch(reason);
    expect(res.body?.data?.[field] ?? null).toBeNull();
  };

  const tripState = async (code: string) =>
    dataOf(
      await asAdmin<{
        trip: { status: string; driver: { code: string } | null; availableDrivers: Array<{ code: string }> };
      }>('query ($code: ID!) { trip(code: $code) { status driver { code } availableDrivers { code } } }', {
        code,
      }),
    ).trip;

  const locationOf = async (code: string) =>
    dataOf(
      await asAdmin<{ driver: { location: { latitude: number } } }>(
        'query ($code: ID!) { driver(code: $code) { location { latitude } } }',
        { code },
      ),
    ).driver.location.latitude;

  const requestTrip = async (type: 'DEMO' | 'NORMAL') =>
    dataOf(
      await asAdmin<{ requestTrip: { code: string } }>(
        'mutation ($input: RequestTripInput!) { requestTrip(input: $input) { code } }',
        { input: { passengerCode: PASSENGER, source: PICKUP, destination: DROP_OFF, type } },
      ),
    ).requestTrip.code;

  const waitForOffer = (code: string, drivers: string[]) =>
    waitFor(
      async () => {
        const trip = await tripState(code);
        const offered = trip.availableDrivers.map((d) => d.code);
        return trip.status === 'DRIVERS_NOTIFIED' && drivers.every((d) => offered.includes(d));
      },
      { timeoutMs: 30_000, intervalMs: 100, what: `trip ${code} to be offered to ${drivers.join(', ')}` },
    );

  beforeAll(async () => {
    system = await startTestSystem(
      {
        // A secret of this run's own: the simulator must get a token without being given it.
        AUTH_JWT_SECRET: crypto.randomBytes(24).toString('base64url'),
        TRIP_ACCEPT_WINDOW_MS: '600000',
        TRIP_MONITOR_INTERVAL_MS: '600000',
        OUTBOX_POLL_INTERVAL_MS: '50',
        ORCHESTRATOR_SCAN_INTERVAL_MS: '200',
      },
      { workers: false },
    );
    await system.start('orchestrator');
    await system.ready(['orchestrator']);
    url = system.gatewayUrl;
    const auth = readAuthConfig(system.envFor('gateway'));
    simulatorToken = await mintToken(auth, { role: 'simulator', code: SIMULATOR });
    adminToken = await mintToken(auth, { role: 'admin', code: `SPADMIN${RUN}` });

    const seeded = await asAdmin(
      `mutation ($p: RegisterPassengerInput!, $d: CreateDriverInput!, $n: CreateDriverInput!,
                 $i: CreateDriverInput!, $f: CreateDriverInput!) {
        p: registerPassenger(input: $p) { code }
        d: createDriver(input: $d) { code }
        n: createDriver(input: $n) { code }
        i: createDriver(input: $i) { code }
        f: createDriver(input: $f) { code }
      }`,
      {
        p: {
          code: PASSENGER,
          firstName: 'Pia',
          lastName: 'Demo',
          email: `sp-${RUN.toLowerCase()}@example.com`,
        },
        d: { code: DRIVER_DEMO, firstName: 'Dee', lastName: 'Demo', car: car('SP-D'), location: PICKUP },
        n: { code: DRIVER_NORMAL, firstName: 'Nor', lastName: 'Mal', car: car('SP-N'), location: PICKUP },
        i: { code: DRIVER_IDLE, firstName: 'Ida', lastName: 'Idle', car: car('SP-I'), location: PICKUP },
        f: { code: DRIVER_FAR, firstName: 'Fay', lastName: 'Far', car: car('SP-F'), location: FAR },
      },
    );
    expect(seeded.body?.errors).toBeUndefined();
    trips.demo = await requestTrip('DEMO');
    trips.normal = await requestTrip('NORMAL');
    trips.demoElsewhere = await requestTrip('DEMO');
    const near = [DRIVER_DEMO, DRIVER_NORMAL, DRIVER_IDLE];
    await Promise.all(Object.values(trips).map((code) => waitForOffer(code, near)));
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('should not let it accept a NORMAL trip, even for a driver the trip was offered to', async () => {
    const res = await asSimulator(ACCEPT, { code: trips.normal, driverCode: DRIVER_NORMAL });
    expectRefused(
      res,
      'acceptTrip',
      new RegExp(`simulator ${SIMULATOR} may not accept trip ${trips.normal}`),
    );
    expect(await tripState(trips.normal)).toMatchObject({ status: 'DRIVERS_NOTIFIED', driver: null });
  });

  it('should not let it accept a DEMO trip for a driver the trip was not offered to', async () => {
    const res = await asSimulator(ACCEPT, { code: trips.demo, driverCode: DRIVER_FAR });
    expectRefused(res, 'acceptTrip', /was not offered/);
  });

  it('should not let it move a driver who is on no trip', async () => {
    const res = await asSimulator(MOVE, { code: DRIVER_IDLE, location: DROP_OFF });
    expectRefused(
      res,
      'updateDriverLocation',
      new RegExp(`may not move driver ${DRIVER_IDLE}: not on a DEMO trip`),
    );
  });

  it('should let it accept a DEMO trip for an offered driver and then move that driver', async () => {
    const accepted = await asSimulator(ACCEPT, { code: trips.demo, driverCode: DRIVER_DEMO });
    expect(dataOf(accepted)).toEqual({
      acceptTrip: { code: trips.demo, status: 'DRIVER_ASSIGNED', driver: { code: DRIVER_DEMO } },
    });
    const moved = await asSimulator(MOVE, { code: DRIVER_DEMO, location: DROP_OFF });
    expect(dataOf(moved)).toEqual({ updateDriverLocation: { code: DRIVER_DEMO } });
    expect(await locationOf(DRIVER_DEMO)).toBe(DROP_OFF.latitude);
    // Moving a driver does not let it see where they are.
    const peek = await asSimulator(
      'mutation ($code: ID!, $location: GeoPointInput!) { updateDriverLocation(code: $code, location: $location) { location { latitude } } }',
      { code: DRIVER_DEMO, location: DROP_OFF },
    );
    expect(errorsOf(peek)).toMatchObject([
      { path: ['updateDriverLocation', 'location'], extensions: { code: 'FORBIDDEN' } },
    ]);
  });

  it("should not let it move the driver of a NORMAL trip (a real trip's driver)", async () => {
    const own = await gql(
      url,
      ACCEPT,
      { code: trips.normal, driverCode: DRIVER_NORMAL },
      await mintToken(readAuthConfig(system.envFor('gateway')), { role: 'driver', code: DRIVER_NORMAL }),
    );
    expect(dataOf(own)).toMatchObject({ acceptTrip: { status: 'DRIVER_ASSIGNED' } });
    const res = await asSimulator(MOVE, { code: DRIVER_NORMAL, location: DROP_OFF });
    expectRefused(
      res,
      'updateDriverLocation',
      new RegExp(`may not move driver ${DRIVER_NORMAL}: not on a DEMO trip`),
    );
    expect(await locationOf(DRIVER_NORMAL)).toBe(PICKUP.latitude);
  });

  it.each([
    ['list passengers', 'passengers', '{ passengers(limit: 5) { code } }', undefined],
    ['list drivers', 'drivers', '{ drivers(limit: 5) { code } }', undefined],
    ['list trips', 'trips', '{ trips(limit: 5) { code } }', undefined],
    ['read trip statistics', 'tripStats', '{ tripStats { total } }', undefined],
    [
      'read the DEMO trip it drives',
      'trip',
      'query ($code: ID!) { trip(code: $code) { code } }',
      () => ({ code: trips.demo }),
    ],
    [
      'read the driver it moves',
      'driver',
      'query ($code: ID!) { driver(code: $code) { code } }',
      () => ({ code: DRIVER_DEMO }),
    ],
    [
      'read the passenger',
      'passenger',
      'query ($code: ID!) { passenger(code: $code) { code } }',
      () => ({ code: PASSENGER }),
    ],
    [
      'create a driver',
      'createDriver',
      'mutation ($input: CreateDriverInput!) { createDriver(input: $input) { code } }',
      () => ({
        input: { code: `SPX${RUN}`, firstName: 'X', lastName: 'Y', car: car('SP-X'), location: FAR },
      }),
    ],
    [
      'delete a driver',
      'deleteDriver',
      'mutation ($code: ID!) { deleteDriver(code: $code) }',
      () => ({ code: DRIVER_IDLE }),
    ],
    [
      "change a driver's availability",
      'setDriverAvailability',
      'mutation ($code: ID!) { setDriverAvailability(code: $code, isAcceptingRides: false) { code } }',
      () => ({ code: DRIVER_IDLE }),
    ],
    [
      "change a driver's profile",
      'updateDriver',
      'mutation ($code: ID!) { updateDriver(code: $code, input: { lastName: "Z" }) { code } }',
      () => ({ code: DRIVER_DEMO }),
    ],
    [
      'request a trip',
      'requestTrip',
      'mutation ($input: RequestTripInput!) { requestTrip(input: $input) { code } }',
      () => ({ input: { passengerCode: PASSENGER, source: PICKUP, destination: DROP_OFF, type: 'DEMO' } }),
    ],
    [
      'cancel the DEMO trip it drives',
      'cancelTrip',
      'mutation ($code: ID!) { cancelTrip(code: $code) { code } }',
      () => ({ code: trips.demo }),
    ],
  ])('should not let it %s', async (_what, field, query, variables) => {
    expectRefused(await asSimulator(query, variables?.()), field);
  });

  it('should have changed nothing it was refused', async () => {
    expect(await tripState(trips.demo)).toMatchObject({
      status: 'DRIVER_ASSIGNED',
      driver: { code: DRIVER_DEMO },
    });
    const drivers = await asAdmin<{ drivers: Array<{ code: string }> }>('{ drivers(limit: 200) { code } }');
    expect(dataOf(drivers).drivers.map((d) => d.code)).toEqual(expect.arrayContaining([DRIVER_IDLE]));
    expect(dataOf(drivers).drivers.map((d) => d.code)).not.toContain(`SPX${RUN}`);
  });

  it('should run the simulator worker with a token of its own, without the JWT secret, and drive a DEMO trip', async () => {
    const simulator = await system.start('simulator');
    await system.ready(['simulator']);
    // What the process was given (Linux /proc): its own token, not the secret that mints any token.
    if (simulator.child.pid !== undefined && fs.existsSync(`/proc/${simulator.child.pid}/environ`)) {
      const names = fs
        .readFileSync(`/proc/${simulator.child.pid}/environ`, 'utf8')
        .split('\0')
        .map((entry) => entry.slice(0, entry.indexOf('=')));
      expect(names).toContain('SIMULATOR_TOKEN');
      expect(names).not.toContain('AUTH_JWT_SECRET');
    }
    // The offer it has not seen yet: it accepts it for an offered driver (the idle one is left).
    await waitFor(
      async () => {
        const trip = await tripState(trips.demoElsewhere);
        return trip.status === 'DRIVER_ASSIGNED' && trip.driver?.code === DRIVER_IDLE && trip;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: `the simulator to accept ${trips.demoElsewhere}` },
    );
    expect(await tripState(trips.normal)).toMatchObject({ driver: { code: DRIVER_NORMAL } });
  });
});
