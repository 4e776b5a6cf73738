import crypto from 'node:crypto';
import Redis from 'ioredis';
import type { Client } from 'graphql-ws';
import { IDENTITY_HEADER, SIGNATURE_HEADER, identityHeaders, readIdentitySecret } from '@rideshare/common';
import { startTestSystem, waitFor, type TestSystem } from '@rideshare/testing';
import {
  LOCAL_JWT_SECRET,
  closeOf,
  craftToken,
  dataOf,
  errorsOf,
  gql,
  record,
  request,
  wsClient,
  type GraphQLError,
  type HttpResult,
} from './security-helpers';

/**
 * Every role against every kind of operation: queries, mutations, subscriptions and entity fields
 * reached through federation; and identities forged straight at the subgraphs.
 *
 * The orchestrator (offers trips to nearby drivers) and the notifier (Kafka → Redis, for
 * subscriptions) run; the accept window and the monitor are long, so every trip stays where the
 * set-up put it.
 */

// Codes unique to this run: Redis channels (driver-offers:<code>) are shared with other test systems.
const RUN = crypto.randomBytes(3).toString('hex').toUpperCase();
const PASSENGER_A = `AZPA${RUN}`;
const PASSENGER_B = `AZPB${RUN}`;
/** Stored lower-case. */
const EMAIL_A = `a-${RUN.toLowerCase()}@example.com`;
/** Near the trips: every trip requested in Portland is offered to them while they are free. */
const DRIVER_OFFERED = `AZDO${RUN}`;
const DRIVER_HELPER = `AZDH${RUN}`;
const DRIVER_SPARE = `AZDS${RUN}`;
/** In Boston: never offered a Portland trip. */
const DRIVER_NOT_OFFERED = `AZDN${RUN}`;
/** The demo simulator's principal: it drives DEMO trips only, and every trip here is NORMAL. */
const SIMULATOR = `AZSIM${RUN}`;

const PORTLAND = { latitude: 45.5152, longitude: -122.6784 };
const PORTLAND_DESTINATION = { latitude: 45.5452, longitude: -122.6784 };
const BOSTON = { latitude: 42.3601, longitude: -71.0589 };

const ROLES = [
  'anonymous',
  'passengerA',
  'passengerB',
  'driverOffered',
  'driverNotOffered',
  'simulator',
  'admin',
] as const;
type Role = (typeof ROLES)[number];
const ROLE_NAMES: Record<Role, string> = {
  anonymous: 'an anonymous caller',
  passengerA: 'passenger A',
  passengerB: 'passenger B',
  driverOffered: 'the offered driver',
  driverNotOffered: 'a driver not offered the trip',
  simulator: 'the simulator (its own role, DEMO trips only)',
  admin: 'an admin',
};

/** How the subgraphs name each signed-in role in a refusal ("<role> <code> may not …"). */
const CALLERS: Record<Role, string> = {
  anonymous: '',
  passengerA: `passenger ${PASSENGER_A}`,
  passengerB: `passenger ${PASSENGER_B}`,
  driverOffered: `driver ${DRIVER_OFFERED}`,
  driverNotOffered: `driver ${DRIVER_NOT_OFFERED}`,
  simulator: `simulator ${SIMULATOR}`,
  admin: '',
};

const car = (plate: string) => ({
  make: 'Subaru',
  model: 'Outback',
  year: 2020,
  color: 'Grey',
  licensePlate: plate,
});

interface Trips {
  /** A's trip everyone allowed reads and watches. */
  read: string;
  /** A's trip, accepted by the helper driver during set-up: it has a driver. */
  assigned: string;
  /** A's trip the offered driver accepts in the matrix. */
  accept: string;
  /** A's trip an admin accepts for the spare driver in the matrix. */
  adminAccept: string;
  /** A's trips cancelled in the matrix, by A and by an admin. */
  cancelByPassenger: string;
  cancelByAdmin: string;
}

describe('authorization: every role against every operation kind', () => {
  let system: TestSystem;
  let url: string;
  let redis: Redis;
  const tokens = {} as Record<Role, string | undefined>;
  const trips = {} as Trips;
  const clients: Client[] = [];

  const as = <T = Record<string, unknown>>(role: Role, query: string, variables?: Record<string, unknown>) =>
    gql<T>(url, query, variables, tokens[role]);
  const admin = <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) =>
    as<T>('admin', query, variables);

  const requestTrip = async (role: Role, source = PORTLAND) =>
    dataOf(
      await as<{ requestTrip: { code: string } }>(
        role,
        'mutation ($input: RequestTripInput!) { requestTrip(input: $input) { code } }',
        { input: { passengerCode: PASSENGER_A, source, destination: PORTLAND_DESTINATION, type: 'NORMAL' } },
      ),
    ).requestTrip.code;

  const tripState = async (code: string) =>
    dataOf(
      await admin<{
        trip: { status: string; driver: { code: string } | null; availableDrivers: Array<{ code: string }> };
      }>('query ($code: ID!) { trip(code: $code) { status driver { code } availableDrivers { code } } }', {
        code,
      }),
    ).trip;

  /** Waits until the orchestrator has offered the trip to (at least) these drivers. */
  const waitForOffer = (code: string, drivers: string[]) =>
    waitFor(
      async () => {
        const trip = await tripState(code);
        const offered = trip.availableDrivers.map((d) => d.code);
        if (trip.status === 'DRIVERS_NOTIFIED' && drivers.every((d) => offered.includes(d))) return trip;
        throw new Error(`trip ${code} is ${trip.status}, offered to [${offered.join(', ')}]`);
      },
      { timeoutMs: 30_000, intervalMs: 100, what: `trip ${code} to be offered to ${drivers.join(', ')}` },
    );

  const connect = (role: Role) => {
    const client = wsClient(url, tokens[role]);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    system = await startTestSystem(
      {
        TRIP_ACCEPT_WINDOW_MS: '600000',
        TRIP_MONITOR_INTERVAL_MS: '600000',
        OUTBOX_POLL_INTERVAL_MS: '50',
        ORCHESTRATOR_SCAN_INTERVAL_MS: '200',
      },
      { workers: false },
    );
    // Only the workers this file needs: offers (orchestrator) and subscription signals (notifier).
    await Promise.all([system.start('orchestrator'), system.start('notifier')]);
    await system.ready(['orchestrator', 'notifier']);
    url = system.gatewayUrl;
    tokens.anonymous = undefined;
    tokens.admin = await system.token('admin', `AZADMIN${RUN}`);
    tokens.passengerA = await system.token('passenger', PASSENGER_A);
    tokens.passengerB = await system.token('passenger', PASSENGER_B);
    tokens.driverOffered = await system.token('driver', DRIVER_OFFERED);
    tokens.driverNotOffered = await system.token('driver', DRIVER_NOT_OFFERED);
    tokens.simulator = await craftToken({ role: 'simulator' }, { sub: SIMULATOR });
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 3 });

    const seeded = await admin(
      `mutation ($a: RegisterPassengerInput!, $b: RegisterPassengerInput!, $o: CreateDriverInput!,
                 $h: CreateDriverInput!, $s: CreateDriverInput!, $n: CreateDriverInput!) {
        a: registerPassenger(input: $a) { code }
        b: registerPassenger(input: $b) { code }
        o: createDriver(input: $o) { code }
        h: createDriver(input: $h) { code }
        s: createDriver(input: $s) { code }
        n: createDriver(input: $n) { code }
      }`,
      {
        a: {
          code: PASSENGER_A,
          firstName: 'Ada',
          lastName: 'Alpha',
          email: EMAIL_A,
          mobileNumber: '+1 503 555 0101',
        },
        b: { code: PASSENGER_B, firstName: 'Bo', lastName: 'Beta', email: `b-${RUN}@example.com` },
        o: {
          code: DRIVER_OFFERED,
          firstName: 'Olive',
          lastName: 'Offered',
          car: car('AZ-O'),
          location: PORTLAND,
        },
        h: {
          code: DRIVER_HELPER,
          firstName: 'Hal',
          lastName: 'Helper',
          car: car('AZ-H'),
          location: PORTLAND,
        },
        s: { code: DRIVER_SPARE, firstName: 'Sue', lastName: 'Spare', car: car('AZ-S'), location: PORTLAND },
        n: {
          code: DRIVER_NOT_OFFERED,
          firstName: 'Ned',
          lastName: 'Elsewhere',
          car: car('AZ-N'),
          location: BOSTON,
        },
      },
    );
    expect(seeded.body?.errors).toBeUndefined();

    // A's trips, each offered to the three Portland drivers (never to the one in Boston).
    const names = [
      'read',
      'assigned',
      'accept',
      'adminAccept',
      'cancelByPassenger',
      'cancelByAdmin',
    ] as const;
    for (const name of names) trips[name] = await requestTrip('passengerA');
    await Promise.all(
      names.map((name) => waitForOffer(trips[name], [DRIVER_OFFERED, DRIVER_HELPER, DRIVER_SPARE])),
    );
    const accepted = await gql(
      url,
      'mutation ($code: ID!, $driverCode: ID!) { acceptTrip(code: $code, driverCode: $driverCode) { status } }',
      { code: trips.assigned, driverCode: DRIVER_HELPER },
      await system.token('driver', DRIVER_HELPER),
    );
    expect(dataOf(accepted)).toEqual({ acceptTrip: { status: 'DRIVER_ASSIGNED' } });
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map(async (c) => c.dispose()));
    redis?.disconnect();
    await system?.stop();
  });

  // -------------------------------------------------------------------------------------------
  // Queries and mutations: one row per (operation, role).
  // -------------------------------------------------------------------------------------------

  interface Operation {
    name: string;
    query: string;
    field: string;
    variables?: (role: Role) => Record<string, unknown>;
    /** Roles that may run it; every other signed-in role gets FORBIDDEN, anonymous callers 401. */
    allowed: Role[];
    /** Checks the allowed answer beyond "no errors, data present". */
    check?: (value: Record<string, unknown>, role: Role) => void;
  }

  /** Codes the creating rows use, per role: only the admin's may exist afterwards. */
  const createdCode = (kind: string, role: Role) => `AZ${kind}${RUN}${ROLES.indexOf(role)}`;

  const operations: Operation[] = [
    {
      name: 'query drivers',
      query: '{ drivers(limit: 200) { code } }',
      field: 'drivers',
      allowed: ['admin'],
    },
    {
      name: "query driver (the offered driver's profile)",
      query:
        'query ($code: ID!) { driver(code: $code) { code firstName location { latitude } isAcceptingRides } }',
      variables: () => ({ code: DRIVER_OFFERED }),
      field: 'driver',
      allowed: ['driverOffered', 'admin'],
      check: (driver) =>
        expect(driver).toMatchObject({ code: DRIVER_OFFERED, location: { latitude: PORTLAND.latitude } }),
    },
    {
      name: 'query passengers',
      query: '{ passengers(limit: 200) { code } }',
      field: 'passengers',
      allowed: ['admin'],
    },
    {
      name: "query passenger (A's profile)",
      query: 'query ($code: ID!) { passenger(code: $code) { code email mobileNumber } }',
      variables: () => ({ code: PASSENGER_A }),
      field: 'passenger',
      allowed: ['passengerA', 'admin'],
      check: (p) =>
        expect(p).toEqual({
          code: PASSENGER_A,
          email: EMAIL_A,
          mobileNumber: '+1 503 555 0101',
        }),
    },
    {
      name: "query trip (A's trip)",
      query: 'query ($code: ID!) { trip(code: $code) { code status passenger { code } } }',
      variables: () => ({ code: trips.read }),
      field: 'trip',
      allowed: ['passengerA', 'driverOffered', 'admin'],
      check: (t) =>
        expect(t).toEqual({ code: trips.read, status: 'DRIVERS_NOTIFIED', passenger: { code: PASSENGER_A } }),
    },
    {
      name: "query tripUpdate (A's trip at version 1)",
      query: 'query ($code: ID!) { tripUpdate(code: $code, version: 1) { event version } }',
      variables: () => ({ code: trips.read }),
      field: 'tripUpdate',
      allowed: ['passengerA', 'driverOffered', 'admin'],
      check: (u) => expect(u).toEqual({ event: 'TRIP_REQUESTED', version: 1 }),
    },
    { name: 'query trips', query: '{ trips(limit: 200) { code } }', field: 'trips', allowed: ['admin'] },
    { name: 'query tripStats', query: '{ tripStats { total } }', field: 'tripStats', allowed: ['admin'] },
    {
      name: 'mutation createDriver',
      query: 'mutation ($input: CreateDriverInput!) { createDriver(input: $input) { code } }',
      variables: (role) => ({
        input: {
          code: createdCode('CD', role),
          firstName: 'New',
          lastName: 'Driver',
          car: car('AZ-NEW'),
          location: BOSTON,
        },
      }),
      field: 'createDriver',
      allowed: ['admin'],
    },
    {
      name: 'mutation updateDriverLocation (the offered driver)',
      query:
        'mutation ($code: ID!, $location: GeoPointInput!) { updateDriverLocation(code: $code, location: $location) { code location { latitude } } }',
      variables: () => ({ code: DRIVER_OFFERED, location: PORTLAND }),
      field: 'updateDriverLocation',
      allowed: ['driverOffered', 'admin'],
    },
    {
      name: 'mutation setDriverAvailability (the offered driver)',
      query:
        'mutation ($code: ID!) { setDriverAvailability(code: $code, isAcceptingRides: true) { code isAcceptingRides } }',
      variables: () => ({ code: DRIVER_OFFERED }),
      field: 'setDriverAvailability',
      allowed: ['driverOffered', 'admin'],
    },
    {
      name: 'mutation registerPassenger (a new profile, not the caller)',
      query: 'mutation ($input: RegisterPassengerInput!) { registerPassenger(input: $input) { code } }',
      variables: (role) => ({
        input: {
          code: createdCode('RP', role),
          firstName: 'New',
          lastName: 'Passenger',
          email: `rp-${role}-${RUN}@example.com`,
        },
      }),
      field: 'registerPassenger',
      allowed: ['admin'],
    },
    {
      name: "mutation updatePassenger (A's profile)",
      query:
        'mutation ($code: ID!) { updatePassenger(code: $code, input: { lastName: "Alpha" }) { code lastName } }',
      variables: () => ({ code: PASSENGER_A }),
      field: 'updatePassenger',
      allowed: ['passengerA', 'admin'],
      check: (p) => expect(p).toEqual({ code: PASSENGER_A, lastName: 'Alpha' }),
    },
    {
      name: 'mutation requestTrip (for A)',
      query:
        'mutation ($input: RequestTripInput!) { requestTrip(input: $input) { code status passenger { code } } }',
      // From Boston: such trips are offered to nobody the other rows rely on.
      variables: () => ({
        input: {
          passengerCode: PASSENGER_A,
          source: BOSTON,
          destination: { latitude: 42.37, longitude: -71.05 },
          type: 'NORMAL',
        },
      }),
      field: 'requestTrip',
      allowed: ['passengerA', 'admin'],
      check: (t) => expect(t).toMatchObject({ status: 'REQUESTED', passenger: { code: PASSENGER_A } }),
    },
    {
      name: 'mutation acceptTrip (a trip offered to the offered driver, as that driver)',
      query:
        'mutation ($code: ID!, $driverCode: ID!) { acceptTrip(code: $code, driverCode: $driverCode) { code status driver { code } } }',
      // The admin accepts another offered trip for the spare driver (the offered one is taken then).
      variables: (role) =>
        role === 'admin'
          ? { code: trips.adminAccept, driverCode: DRIVER_SPARE }
          : { code: trips.accept, driverCode: DRIVER_OFFERED },
      field: 'acceptTrip',
      allowed: ['driverOffered', 'admin'],
      check: (t, role) =>
        expect(t).toMatchObject({
          status: 'DRIVER_ASSIGNED',
          driver: { code: role === 'admin' ? DRIVER_SPARE : DRIVER_OFFERED },
        }),
    },
    {
      name: "mutation cancelTrip (A's trip)",
      query: 'mutation ($code: ID!) { cancelTrip(code: $code, reason: "changed my mind") { code status } }',
      variables: (role) => ({ code: role === 'admin' ? trips.cancelByAdmin : trips.cancelByPassenger }),
      field: 'cancelTrip',
      allowed: ['passengerA', 'admin'],
      check: (t) => expect(t).toMatchObject({ status: 'ABORTED' }),
    },
  ];

  const rows = operations.flatMap((op) =>
    ROLES.map((role) => {
      const expected =
        role === 'anonymous' ? 'UNAUTHENTICATED' : op.allowed.includes(role) ? 'ok' : 'FORBIDDEN';
      const verb =
        expected === 'ok' ? 'allow' : expected === 'FORBIDDEN' ? 'refuse (FORBIDDEN)' : 'refuse (401)';
      return { title: `should ${verb} ${ROLE_NAMES[role]}: ${op.name}`, op, role, expected };
    }),
  );

  /** The one error of a refused call: FORBIDDEN naming the caller, the field's data null. */
  const expectForbidden = (res: HttpResult, field: string, caller: string) => {
    expect(res.status).toBe(200);
    const errors = errorsOf(res);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(errors[0]!.message).toMatch(new RegExp(`(${caller} may not|was not offered)`));
    expect(res.body?.data?.[field] ?? null).toBeNull();
  };

  describe('queries and mutations over HTTP', () => {
    it.each(rows)('$title', async ({ op, role, expected }) => {
      const res = await as(role, op.query, op.variables?.(role));
      if (expected === 'UNAUTHENTICATED') {
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
        expect(errorsOf(res)).toEqual([
          {
            message: 'Authentication required: send Authorization: Bearer <token>',
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ]);
      } else if (expected === 'FORBIDDEN') {
        expectForbidden(res, op.field, CALLERS[role]);
      } else {
        expect(res.status).toBe(200);
        const value = dataOf(res)[op.field] as Record<string, unknown>;
        expect(value).toBeTruthy();
        op.check?.(value, role);
      }
    });

    it('should have let no refused mutation change anything', async () => {
      const created = await admin<{ drivers: Array<{ code: string }>; passengers: Array<{ code: string }> }>(
        '{ drivers(limit: 200) { code } passengers(limit: 200) { code } }',
      );
      const { drivers, passengers } = dataOf(created);
      expect(drivers.map((d) => d.code).filter((c) => c.startsWith(`AZCD${RUN}`))).toEqual([
        createdCode('CD', 'admin'),
      ]);
      expect(passengers.map((p) => p.code).filter((c) => c.startsWith(`AZRP${RUN}`))).toEqual([
        createdCode('RP', 'admin'),
      ]);
      // The trips the refused callers tried to take or cancel are as the allowed callers left them.
      expect(await tripState(trips.read)).toMatchObject({ status: 'DRIVERS_NOTIFIED', driver: null });
    });

    it('should not let a driver accept a trip that was not offered to them, even as themselves or through an admin', async () => {
      const byDriver = await as(
        'driverNotOffered',
        'mutation ($code: ID!, $driverCode: ID!) { acceptTrip(code: $code, driverCode: $driverCode) { code } }',
        { code: trips.read, driverCode: DRIVER_NOT_OFFERED },
      );
      expect(errorsOf(byDriver)).toMatchObject([
        {
          message: `Driver "${DRIVER_NOT_OFFERED}" was not offered trip "${trips.read}"`,
          extensions: { code: 'FORBIDDEN' },
        },
      ]);
      const byAdmin = await admin(
        'mutation ($code: ID!, $driverCode: ID!) { acceptTrip(code: $code, driverCode: $driverCode) { code } }',
        { code: trips.read, driverCode: DRIVER_NOT_OFFERED },
      );
      expect(errorsOf(byAdmin)[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
      expect(await tripState(trips.read)).toMatchObject({ status: 'DRIVERS_NOTIFIED', driver: null });
    });

    it("should not let passenger B read, list or cancel passenger A's trip", async () => {
      const read = await as('passengerB', 'query ($code: ID!) { trip(code: $code) { code } }', {
        code: trips.read,
      });
      expectForbidden(read, 'trip', `passenger ${PASSENGER_B}`);
      const listed = await as(
        'passengerB',
        'query ($code: ID!) { passenger(code: $code) { trips { code } } }',
        {
          code: PASSENGER_A,
        },
      );
      expectForbidden(listed, 'passenger', `passenger ${PASSENGER_B}`);
      const cancelled = await as('passengerB', 'mutation ($code: ID!) { cancelTrip(code: $code) { code } }', {
        code: trips.read,
      });
      expectForbidden(cancelled, 'cancelTrip', `passenger ${PASSENGER_B}`);
      expect(await tripState(trips.read)).toMatchObject({ status: 'DRIVERS_NOTIFIED' });
    });
  });

  // -------------------------------------------------------------------------------------------
  // Invalid tokens
  // -------------------------------------------------------------------------------------------

  describe('tokens', () => {
    const cases: Array<[string, () => Promise<string>, RegExp]> = [
      [
        'an expired token',
        () => craftToken({ role: 'admin' }, { expiresAt: Math.floor(Date.now() / 1000) - 60 }),
        /expired/,
      ],
      [
        'a token signed with another secret',
        () => craftToken({ role: 'admin' }, { secret: `${LOCAL_JWT_SECRET}-not` }),
        /bad signature/,
      ],
      [
        'a token of another issuer',
        () => craftToken({ role: 'admin' }, { issuer: 'https://evil.example' }),
        /Invalid token/,
      ],
      ['a token claiming the internal role "service"', () => craftToken({ role: 'service' }), /claim "role"/],
    ];
    it.each(cases)('should answer 401 UNAUTHENTICATED to %s', async (_name, make, message) => {
      const res = await gql(url, '{ trips(limit: 1) { code } }', undefined, await make());
      expect(res.status).toBe(401);
      const [error] = errorsOf(res);
      expect(error?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(error?.message).toMatch(message);
      expect(res.body?.data).toBeUndefined();
    });
  });

  // -------------------------------------------------------------------------------------------
  // Entity fields reached through federation
  // -------------------------------------------------------------------------------------------

  describe('entity fields through federation', () => {
    const tripQuery = (selection: string) => `query ($code: ID!) { trip(code: $code) { code ${selection} } }`;

    /** One FORBIDDEN error at exactly `path`, its message naming the rule. */
    const expectFieldForbidden = (res: HttpResult, path: Array<string | number>, message: RegExp) => {
      expect(res.status).toBe(200);
      const errors = errorsOf(res);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ path, extensions: { code: 'FORBIDDEN' } });
      expect(errors[0]!.message).toMatch(message);
    };

    it("should show an offered driver the passenger's name but refuse their email (FORBIDDEN on that field)", async () => {
      const names = await as('driverOffered', tripQuery('passenger { code firstName lastName }'), {
        code: trips.read,
      });
      expect(dataOf(names).trip).toEqual({
        code: trips.read,
        passenger: { code: PASSENGER_A, firstName: 'Ada', lastName: 'Alpha' },
      });
      const email = await as('driverOffered', tripQuery('passenger { firstName email }'), {
        code: trips.read,
      });
      expectFieldForbidden(
        email,
        ['trip', 'passenger', 'email'],
        new RegExp(`may not see passenger ${PASSENGER_A}'s email`),
      );
      // email is non-null: the error nulls the passenger, and with it the trip.
      expect(email.body?.data).toEqual({ trip: null });
      const phone = await as('driverOffered', tripQuery('passenger { firstName mobileNumber }'), {
        code: trips.read,
      });
      expectFieldForbidden(phone, ['trip', 'passenger', 'mobileNumber'], /phone number/);
      expect(phone.body?.data).toEqual({
        trip: { code: trips.read, passenger: { firstName: 'Ada', mobileNumber: null } },
      });
    });

    // Since driverLocationUpdated (issue 11): the passenger of a driver's current trip may see where
    // that driver is; before, the location was the driver's and admins' only.
    it("should show passenger A their driver's name, car and location but refuse the driver's availability", async () => {
      const names = await as('passengerA', tripQuery('driver { code firstName car { make licensePlate } }'), {
        code: trips.assigned,
      });
      expect(dataOf(names).trip).toEqual({
        code: trips.assigned,
        driver: { code: DRIVER_HELPER, firstName: 'Hal', car: { make: 'Subaru', licensePlate: 'AZ-H' } },
      });
      const location = await as('passengerA', tripQuery('driver { firstName location { latitude } }'), {
        code: trips.assigned,
      });
      expect(location.body?.errors).toBeUndefined();
      expect(dataOf(location).trip).toEqual({
        code: trips.assigned,
        driver: { firstName: 'Hal', location: { latitude: expect.any(Number) as unknown } },
      });
      const availability = await as('passengerA', tripQuery('driver { isAcceptingRides }'), {
        code: trips.assigned,
      });
      expectFieldForbidden(availability, ['trip', 'driver', 'isAcceptingRides'], /availability/);
      const history = await as(
        'passengerA',
        tripQuery('availableDrivers { code locationHistory { recordedAt } }'),
        {
          code: trips.assigned,
        },
      );
      expect(errorsOf(history).every((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
    });

    it('should refuse a passenger the trips of their driver, and a driver the trips of their passenger', async () => {
      const driverTrips = await as('passengerA', tripQuery('driver { code trips { code } }'), {
        code: trips.assigned,
      });
      expectFieldForbidden(
        driverTrips,
        ['trip', 'driver', 'trips'],
        new RegExp(`may not see driver ${DRIVER_HELPER}'s trips`),
      );
      const current = await as('passengerA', tripQuery('driver { currentTrip { code } }'), {
        code: trips.assigned,
      });
      expectFieldForbidden(current, ['trip', 'driver', 'currentTrip'], /trips/);
      const passengerTrips = await as('driverOffered', tripQuery('passenger { code trips { code } }'), {
        code: trips.read,
      });
      expectFieldForbidden(
        passengerTrips,
        ['trip', 'passenger', 'trips'],
        new RegExp(`may not see passenger ${PASSENGER_A}'s trips`),
      );
    });

    it('should show people their own data through the same entity fields, and an admin everything', async () => {
      const own = await as<{ passenger: { trips: Array<{ code: string }> } }>(
        'passengerA',
        'query ($code: ID!) { passenger(code: $code) { trips(limit: 50) { code } } }',
        { code: PASSENGER_A },
      );
      expect(dataOf(own).passenger.trips.map((t) => t.code)).toEqual(
        expect.arrayContaining([trips.read, trips.assigned]),
      );
      const helper = await gql<{ driver: { currentTrip: { code: string }; location: unknown } }>(
        url,
        'query ($code: ID!) { driver(code: $code) { location { latitude } currentTrip { code passenger { firstName } } } }',
        { code: DRIVER_HELPER },
        await system.token('driver', DRIVER_HELPER),
      );
      expect(dataOf(helper).driver).toEqual({
        location: { latitude: PORTLAND.latitude },
        currentTrip: { code: trips.assigned, passenger: { firstName: 'Ada' } },
      });
      const everything = await admin(
        tripQuery(
          'passenger { email mobileNumber trips { code } } driver { location { latitude } isAcceptingRides trips { code } }',
        ),
        { code: trips.assigned },
      );
      expect(dataOf(everything).trip).toMatchObject({
        passenger: { email: EMAIL_A, mobileNumber: '+1 503 555 0101' },
        driver: { location: { latitude: PORTLAND.latitude } },
      });
      expect(
        typeof (dataOf(everything).trip as { driver: { isAcceptingRides: unknown } }).driver.isAcceptingRides,
      ).toBe('boolean');
    });
  });

  // -------------------------------------------------------------------------------------------
  // Subscriptions over graphql-ws (connectionParams { authorization })
  // -------------------------------------------------------------------------------------------

  describe('subscriptions', () => {
    const TRIP_UPDATED =
      'subscription ($code: ID!) { tripUpdated(code: $code, afterVersion: 0) { event version trip { code } } }';
    const TRIP_OFFERS =
      'subscription ($driverCode: ID!) { tripOffers(driverCode: $driverCode) { code status } }';
    const numsub = async (channel: string) =>
      Number(((await redis.call('PUBSUB', 'NUMSUB', channel)) as [string, number | string])[1]);

    const tripUpdatedRows = ROLES.map((role) => {
      const allowed = ['passengerA', 'driverOffered', 'admin'].includes(role);
      const outcome =
        role === 'anonymous' ? 'close the socket with 4403' : allowed ? 'deliver' : 'refuse with FORBIDDEN';
      return { title: `should ${outcome} tripUpdated of A's trip for ${ROLE_NAMES[role]}`, role, allowed };
    });

    it.each(tripUpdatedRows)('$title', async ({ role, allowed }) => {
      const sub = record<{ event: string; version: number }>(connect(role), 'tripUpdated', TRIP_UPDATED, {
        code: trips.read,
      });
      if (allowed) {
        // Replayed from the event log: requested, then offered.
        expect((await sub.received(2)).map((u) => [u.event, u.version])).toEqual([
          ['TRIP_REQUESTED', 1],
          ['DRIVERS_NOTIFIED', 2],
        ]);
        expect(sub.nextErrors).toEqual([]);
        sub.unsubscribe();
        return;
      }
      const failure = await sub.failed();
      if (role === 'anonymous') {
        expect(closeOf(failure)).toEqual({ code: 4403, reason: 'Forbidden' });
      } else {
        expect(failure).toMatchObject([{ extensions: { code: 'FORBIDDEN' } }]);
        expect((failure as GraphQLError[])[0]?.message).toMatch(/may not see trip/);
      }
      expect(sub.values).toEqual([]);
    });

    const tripOffersRows = ROLES.map((role) => {
      const allowed = role === 'driverOffered' || role === 'admin';
      const outcome =
        role === 'anonymous' ? 'close the socket with 4403' : allowed ? 'accept' : 'refuse with FORBIDDEN';
      return {
        title: `should ${outcome} tripOffers of the offered driver for ${ROLE_NAMES[role]}`,
        role,
        allowed,
      };
    });

    it.each(tripOffersRows)('$title', async ({ role, allowed }) => {
      // Accepted means the gateway listens on the driver's channel for this subscriber alone (the
      // offers themselves: the next test), so start from a channel nobody listens on.
      const channel = `driver-offers:${DRIVER_OFFERED}`;
      await waitFor(async () => (await numsub(channel)) === 0, { what: `${channel} to have no subscriber` });
      const sub = record<{ code: string }>(connect(role), 'tripOffers', TRIP_OFFERS, {
        driverCode: DRIVER_OFFERED,
      });
      if (allowed) {
        await waitFor(async () => (await numsub(channel)) === 1, { what: `a subscriber on ${channel}` });
        expect(sub.failure).toBeUndefined();
        sub.unsubscribe();
        return;
      }
      const failure = await sub.failed();
      if (role === 'anonymous') expect(closeOf(failure)).toEqual({ code: 4403, reason: 'Forbidden' });
      else {
        expect(failure).toMatchObject([{ extensions: { code: 'FORBIDDEN' } }]);
        expect((failure as GraphQLError[])[0]?.message).toMatch(/may not read driver/);
      }
    });

    it("should deliver a new offer to the offered driver's tripOffers, with the same field rules as queries (no passenger phone)", async () => {
      // The matrix may have given this driver a trip: make them available again.
      dataOf(
        await admin(
          'mutation ($code: ID!) { setDriverAvailability(code: $code, isAcceptingRides: true) { code } }',
          {
            code: DRIVER_OFFERED,
          },
        ),
      );
      const client = connect('driverOffered');
      const offers = record<{ code: string; passenger: { firstName: string; mobileNumber: string | null } }>(
        client,
        'tripOffers',
        'subscription ($driverCode: ID!) { tripOffers(driverCode: $driverCode) { code passenger { firstName mobileNumber } } }',
        { driverCode: DRIVER_OFFERED },
      );
      await waitFor(async () => (await numsub(`driver-offers:${DRIVER_OFFERED}`)) > 0, {
        what: 'the offers subscription',
      });
      const code = await requestTrip('passengerA');
      const [offer] = await offers.received(1, 30_000);
      expect(offer).toEqual({ code, passenger: { firstName: 'Ada', mobileNumber: null } });
      expect(offers.nextErrors).toMatchObject([
        {
          message: `driver ${DRIVER_OFFERED} may not see passenger ${PASSENGER_A}'s phone number`,
          path: ['tripOffers', 'passenger', 'mobileNumber'],
          extensions: { code: 'FORBIDDEN' },
        },
      ]);
      expect(offers.failure).toBeUndefined();
      offers.unsubscribe();
    });
  });

  // -------------------------------------------------------------------------------------------
  // Identities sent straight to a subgraph
  // -------------------------------------------------------------------------------------------

  describe('identity headers sent straight to a subgraph', () => {
    const subgraphUrl = (name: 'drivers' | 'passengers' | 'trips') => system.services.get(name)!.url;
    const TRIPS_QUERY = '{ trips(limit: 5) { code } }';
    const TRIPS_BODY = JSON.stringify({ query: TRIPS_QUERY });
    const MALLORY = { role: 'admin', code: 'MALLORY' } as const;
    const sharedSecret = () => readIdentitySecret(system.envFor('trips'));
    /** Headers signed for a POST of `body` to /graphql, unless told otherwise. */
    const signed = (
      body: string,
      { secret = sharedSecret(), now = Date.now(), method = 'POST', target = '/graphql' } = {},
    ) => identityHeaders(MALLORY, secret, { method, target, body }, now);
    /** Sends exactly these body bytes: the signature covers them. */
    const post = (url: string, body: string, headers: Record<string, string>) =>
      request(url, { headers: { 'content-type': 'application/json', ...headers }, body });

    // Since issue 14 a signature covers method, path, body and issue time and lives 30 s
    // (SUBGRAPH_IDENTITY_MAX_AGE_MS); before, it covered the identity only and lived 5 minutes, so the
    // replay case was "older than five minutes". Each case here sends TRIPS_BODY.
    const refusals: Array<[string, () => Record<string, string>, RegExp]> = [
      [
        'an admin identity with a made-up signature',
        () => ({ ...signed(TRIPS_BODY), [SIGNATURE_HEADER]: 'bm90LWEtc2lnbmF0dXJl' }),
        /identity signature is not valid/,
      ],
      [
        'an admin identity signed with a different secret',
        () => signed(TRIPS_BODY, { secret: 'a-different-secret-of-32-characters' }),
        /identity signature is not valid/,
      ],
      [
        'an admin identity without a signature',
        () => ({ [IDENTITY_HEADER]: signed(TRIPS_BODY)[IDENTITY_HEADER]! }),
        /identity headers are malformed/,
      ],
      [
        'a captured header pair replayed with another body',
        () => signed(JSON.stringify({ query: '{ __typename }' })),
        /identity signature is not valid for this request/,
      ],
      [
        'a header pair signed for another path',
        () => signed(TRIPS_BODY, { target: '/graphql?operationName=other' }),
        /identity signature is not valid for this request/,
      ],
      [
        'a header pair signed for another method',
        () => signed(TRIPS_BODY, { method: 'GET' }),
        /identity signature is not valid for this request/,
      ],
      [
        'a correctly signed identity older than its 30 s lifetime (a late replay)',
        () => signed(TRIPS_BODY, { now: Date.now() - 31_000 }),
        /identity has expired/,
      ],
      [
        'a correctly signed identity issued in the future',
        () => signed(TRIPS_BODY, { now: Date.now() + 60_000 }),
        /identity is issued in the future/,
      ],
    ];

    it.each(refusals)('should answer 401 UNAUTHENTICATED to %s', async (_name, headers, message) => {
      for (const name of ['drivers', 'passengers', 'trips'] as const) {
        const res = await post(subgraphUrl(name), TRIPS_BODY, headers());
        expect(res.status).toBe(401);
        const [error] = errorsOf(res);
        expect(error?.extensions?.code).toBe('UNAUTHENTICATED');
        expect(error?.message).toMatch(message);
      }
    });

    it('should refuse a header pair that works for one body when it is replayed with another', async () => {
      const original = JSON.stringify({ query: '{ __typename }' });
      const captured = signed(original);
      const first = await post(subgraphUrl('trips'), original, captured);
      expect(first.status).toBe(200);
      expect(dataOf(first)).toEqual({ __typename: 'Query' });
      // Same headers, same path and method, another operation: what an eavesdropper would try.
      const replayed = await post(subgraphUrl('trips'), TRIPS_BODY, captured);
      expect(replayed.status).toBe(401);
      const [refusal] = errorsOf(replayed);
      expect(refusal?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(refusal?.message).toMatch(/identity signature is not valid for this request/);
      expect(replayed.text).not.toContain(trips.read);
      // Even one byte more (a space JSON ignores) is another body.
      const padded = await post(subgraphUrl('trips'), `${original} `, captured);
      expect(padded.status).toBe(401);
    });

    it('should refuse an unsigned direct call that needs an identity (UNAUTHENTICATED), in every subgraph', async () => {
      const calls: Array<[string, string]> = [
        ['drivers', '{ drivers(limit: 1) { code } }'],
        ['passengers', '{ passengers(limit: 1) { code email } }'],
        ['trips', TRIPS_QUERY],
        [
          'passengers',
          `{ _entities(representations: [{ __typename: "Passenger", code: "${PASSENGER_A}" }]) { ... on Passenger { email } } }`,
        ],
        [
          'trips',
          `{ _entities(representations: [{ __typename: "Trip", code: "${trips.read}" }]) { ... on Trip { code } } }`,
        ],
      ];
      for (const [name, query] of calls) {
        const res = await gql(subgraphUrl(name as 'drivers'), query);
        const errors = errorsOf(res);
        expect(errors).toMatchObject([{ extensions: { code: 'UNAUTHENTICATED' } }]);
        expect(res.text).not.toContain(EMAIL_A);
        expect(res.text).not.toContain(trips.read);
      }
    });

    it('should hold a correctly signed passenger identity to the passenger rules in the subgraph itself', async () => {
      const body = JSON.stringify({
        query: 'query ($code: ID!) { trip(code: $code) { code } }',
        variables: { code: trips.read },
      });
      const asB = identityHeaders({ role: 'passenger', code: PASSENGER_B }, sharedSecret(), {
        method: 'POST',
        target: '/graphql',
        body,
      });
      const res = await post(subgraphUrl('trips'), body, asB);
      const errors: GraphQLError[] = errorsOf(res);
      expect(errors[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
      expect(errors[0]!.message).toBe(`passenger ${PASSENGER_B} may not see trip ${trips.read}`);
    });
  });
});
