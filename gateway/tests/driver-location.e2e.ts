/**
 * driverLocationUpdated end to end: a driver reports positions through the gateway, the drivers
 * service's outbox relay publishes each move to Kafka, the notifier signals `driver-location:{code}`
 * on Redis, and the gateway resolves `trackedDriver(code)` for each subscriber as that subscriber. Allowed:
 * the driver, admins, and the passenger of the driver's current trip; refused: anyone else.
 */
import crypto from 'node:crypto';
import Redis from 'ioredis';
import type { Client } from 'graphql-ws';
import { startTestSystem, waitFor, type TestSystem } from '@rideshare/testing';
import {
  dataOf,
  errorsOf,
  gql,
  record,
  wsClient,
  type GraphQLError,
  type Recorded,
} from './security-helpers';

const RUN = crypto.randomBytes(3).toString('hex').toUpperCase();
const PASSENGER = `DLPA${RUN}`;
const OTHER_PASSENGER = `DLPB${RUN}`;
const DRIVER = `DLDR${RUN}`;
const OTHER_DRIVER = `DLDO${RUN}`;

/** Far from any seeded driver: the trip is offered to these two drivers only. */
const PORTLAND = { latitude: 45.5152, longitude: -122.6784 };
const at = (i: number) => ({ latitude: PORTLAND.latitude + i / 1000, longitude: PORTLAND.longitude });
const car = (plate: string) => ({
  make: 'Subaru',
  model: 'Outback',
  year: 2020,
  color: 'Grey',
  licensePlate: plate,
});

const DRIVER_LOCATION = `subscription ($code: ID!) {
  driverLocationUpdated(code: $code) { code firstName location { latitude longitude } }
}`;

interface Moved {
  code: string;
  firstName: string;
  location: { latitude: number; longitude: number } | null;
}

type Who = 'driver' | 'admin' | 'passenger' | 'otherPassenger' | 'otherDriver';

describe('driverLocationUpdated through the gateway (drivers outbox → Kafka → notifier → Redis)', () => {
  let system: TestSystem;
  let url: string;
  let redis: Redis;
  let tripCode: string;
  const tokens = {} as Record<Who, string>;
  const clients: Client[] = [];

  const as = <T = Record<string, unknown>>(who: Who, query: string, variables?: Record<string, unknown>) =>
    gql<T>(url, query, variables, tokens[who]);
  const watch = (who: Who, code = DRIVER): Recorded<Moved> => {
    const client = wsClient(url, tokens[who]);
    clients.push(client);
    return record<Moved>(client, 'driverLocationUpdated', DRIVER_LOCATION, { code });
  };
  const move = async (i: number) =>
    dataOf(
      await as(
        'driver',
        'mutation ($code: ID!, $location: GeoPointInput!) { updateDriverLocation(code: $code, location: $location) { code } }',
        { code: DRIVER, location: at(i) },
      ),
    );
  const numsub = async (channel: string) =>
    Number(((await redis.call('PUBSUB', 'NUMSUB', channel)) as [string, number | string])[1]);

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
    // Offers (orchestrator) and live signals (notifier) only: no simulator accepting or moving.
    await Promise.all([system.start('orchestrator'), system.start('notifier')]);
    await system.ready(['orchestrator', 'notifier']);
    url = system.gatewayUrl;
    tokens.admin = await system.token('admin', `DLADMIN${RUN}`);
    tokens.driver = await system.token('driver', DRIVER);
    tokens.otherDriver = await system.token('driver', OTHER_DRIVER);
    tokens.passenger = await system.token('passenger', PASSENGER);
    tokens.otherPassenger = await system.token('passenger', OTHER_PASSENGER);
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 3 });

    const seeded = await as(
      'admin',
      `mutation ($a: RegisterPassengerInput!, $b: RegisterPassengerInput!, $d: CreateDriverInput!, $o: CreateDriverInput!) {
        a: registerPassenger(input: $a) { code }
        b: registerPassenger(input: $b) { code }
        d: createDriver(input: $d) { code }
        o: createDriver(input: $o) { code }
      }`,
      {
        a: { code: PASSENGER, firstName: 'Ada', lastName: 'Rider', email: `dl-a-${RUN}@example.com` },
        b: { code: OTHER_PASSENGER, firstName: 'Bo', lastName: 'Other', email: `dl-b-${RUN}@example.com` },
        d: { code: DRIVER, firstName: 'Dee', lastName: 'Driver', car: car('DL-D'), location: at(0) },
        o: { code: OTHER_DRIVER, firstName: 'Oz', lastName: 'Other', car: car('DL-O'), location: at(1) },
      },
    );
    expect(seeded.body?.errors).toBeUndefined();

    // The passenger's trip, offered to both drivers and taken by DRIVER: DRIVER's current trip.
    tripCode = dataOf(
      await as<{ requestTrip: { code: string } }>(
        'passenger',
        'mutation ($input: RequestTripInput!) { requestTrip(input: $input) { code } }',
        { input: { passengerCode: PASSENGER, source: at(0), destination: at(30), type: 'NORMAL' } },
      ),
    ).requestTrip.code;
    await waitFor(
      async () => {
        const { trip } = dataOf(
          await as<{ trip: { status: string; availableDrivers: Array<{ code: string }> } }>(
            'admin',
            'query ($code: ID!) { trip(code: $code) { status availableDrivers { code } } }',
            { code: tripCode },
          ),
        );
        return trip.status === 'DRIVERS_NOTIFIED' && trip.availableDrivers.some((d) => d.code === DRIVER);
      },
      { timeoutMs: 30_000, intervalMs: 100, what: `trip ${tripCode} to be offered to ${DRIVER}` },
    );
    const accepted = await as(
      'driver',
      'mutation ($code: ID!, $driverCode: ID!) { acceptTrip(code: $code, driverCode: $driverCode) { status } }',
      { code: tripCode, driverCode: DRIVER },
    );
    expect(dataOf(accepted)).toEqual({ acceptTrip: { status: 'DRIVER_ASSIGNED' } });
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map(async (c) => c.dispose()));
    redis?.disconnect();
    await system?.stop();
  });

  it("should show the passenger of the driver's current trip where the driver is, and nobody else but the driver and admins", async () => {
    const query = 'query ($code: ID!) { trackedDriver(code: $code) { code location { latitude } } }';
    for (const who of ['driver', 'admin', 'passenger'] as const)
      expect({ who, data: dataOf(await as(who, query, { code: DRIVER })) }).toEqual({
        who,
        data: { trackedDriver: { code: DRIVER, location: { latitude: at(0).latitude } } },
      });
    for (const who of ['otherPassenger', 'otherDriver'] as const) {
      const refused = await as(who, query, { code: DRIVER });
      expect({ who, errors: errorsOf(refused).map((e) => e.extensions?.code) }).toEqual({
        who,
        errors: ['FORBIDDEN'],
      });
    }
    // Through the trip as well: the same rule on Driver.location.
    const viaTrip = await as(
      'passenger',
      'query ($code: ID!) { trip(code: $code) { driver { location { latitude } } } }',
      {
        code: tripCode,
      },
    );
    expect(dataOf(viaTrip)).toEqual({ trip: { driver: { location: { latitude: at(0).latitude } } } });
  });

  it('should push each move to the driver, an admin and the passenger of their current trip, in order', async () => {
    const watchers = (['driver', 'admin', 'passenger'] as const).map((who) => ({ who, sub: watch(who) }));
    const channel = `driver-location:${DRIVER}`;
    await waitFor(async () => (await numsub(channel)) >= 1, { what: `the gateway to listen on ${channel}` });
    // Every subscription has passed its check once none has failed and the channel is listened to.
    await new Promise((r) => setTimeout(r, 500));
    for (const { who, sub } of watchers)
      expect({ who, failure: sub.failure }).toEqual({ who, failure: undefined });

    const moves = [2, 3, 4];
    for (const i of moves) {
      await move(i);
      for (const { who, sub } of watchers)
        await waitFor(() => sub.values.some((v) => v.location?.latitude === at(i).latitude), {
          timeoutMs: 20_000,
          what: `${who} to see move ${i} (has ${JSON.stringify(sub.values)})`,
        });
    }
    for (const { who, sub } of watchers) {
      expect({ who, errors: sub.nextErrors }).toEqual({ who, errors: [] });
      expect({ who, seen: sub.values.map((v) => v.location) }).toEqual({ who, seen: moves.map(at) });
      for (const v of sub.values) expect(v).toMatchObject({ code: DRIVER, firstName: 'Dee' });
      sub.unsubscribe();
    }
  });

  it.each(['otherPassenger', 'otherDriver'] as const)('should refuse %s with FORBIDDEN', async (who) => {
    const sub = watch(who);
    const failure = await sub.failed();
    expect(failure).toMatchObject([{ extensions: { code: 'FORBIDDEN' } }]);
    expect((failure as GraphQLError[])[0]?.message).toMatch(new RegExp(`may not follow driver ${DRIVER}`));
    expect(sub.values).toEqual([]);
  });

  it('should refuse an unknown driver with NOT_FOUND', async () => {
    const sub = watch('admin', `DLNONE${RUN}`);
    expect(await sub.failed()).toMatchObject([{ extensions: { code: 'NOT_FOUND' } }]);
  });

  it('should stop showing the passenger where the driver is once the trip is over', async () => {
    const cancelled = await as('passenger', 'mutation ($code: ID!) { cancelTrip(code: $code) { status } }', {
      code: tripCode,
    });
    expect(dataOf(cancelled)).toEqual({ cancelTrip: { status: 'ABORTED' } });
    const refused = await as('passenger', 'query ($code: ID!) { trackedDriver(code: $code) { code } }', {
      code: DRIVER,
    });
    expect(errorsOf(refused).map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const own = await as('driver', 'query ($code: ID!) { trackedDriver(code: $code) { code } }', {
      code: DRIVER,
    });
    expect(dataOf(own)).toEqual({ trackedDriver: { code: DRIVER } });
  });
});
