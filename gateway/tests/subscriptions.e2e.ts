/**
 * Subscriptions end to end: graphql-ws clients on the gateway's /graphql, real trips moved by the
 * lifecycle workers over Kafka, the notifier's Redis signals, payloads resolved from the subgraphs.
 * One test system for the file; a second gateway process (started with the inspector, so the churn
 * test can force a GC in it) for the multi-gateway, churn and shutdown tests.
 */
import Redis from 'ioredis';
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import WebSocket from 'ws';
import {
  COMPLETED_HISTORY,
  fastLifecycleEnv,
  places,
  seedDrivers,
  seedIfEmpty,
  seedPassengers,
  startService,
  metricTotals,
  scrapeMetrics,
  startTestSystem,
  tripsApi,
  versionsUpTo,
  waitFor,
  type RunningService,
  type TestSystem,
  type TripInput,
  type TripsApi,
} from '@rideshare/testing';
import { RawSocket, record, within, wsUrl } from './security-helpers';

// ---------------------------------------------------------------------------------------------
// Helpers: graphql-ws clients that record what they receive, Redis PUBSUB, /metrics.
// ---------------------------------------------------------------------------------------------

const metricsUrl = (httpUrl: string) => httpUrl.replace(/\/graphql$/, '/metrics');

/** The gateway's /metrics, each name's samples summed over their labels. */
const readMetrics = async (gatewayUrl: string): Promise<Record<string, number>> =>
  metricTotals(await scrapeMetrics(metricsUrl(gatewayUrl)));

/**
 * Forces a full garbage collection in a process started with --inspect, over the DevTools protocol
 * (the gateway has no global.gc; this way heap figures compare live objects, not GC timing).
 */
async function collectGarbage(inspectorUrl: string): Promise<void> {
  const session = new WebSocket(inspectorUrl);
  try {
    await within(
      new Promise<void>((resolve, reject) => {
        session.once('error', reject);
        session.on('message', (data) => {
          if ((JSON.parse((data as Buffer).toString()) as { id?: number }).id === 1) resolve();
        });
        session.once('open', () =>
          session.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' })),
        );
      }),
      10_000,
      'a forced GC in the gateway',
    );
  } finally {
    session.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Operations and fixtures
// ---------------------------------------------------------------------------------------------

const UPDATE_FIELDS = `event version occurredAt
  trip {
    code status version
    driver { code firstName lastName car { make model color licensePlate } }
    passenger { code email }
  }`;
const TRIP_UPDATED = `subscription ($code: ID!, $afterVersion: Int) {
  tripUpdated(code: $code, afterVersion: $afterVersion) { ${UPDATE_FIELDS} }
}`;
/** A different selection of the same field: a distinct payload query. */
const TRIP_UPDATED_SLIM = `subscription ($code: ID!, $afterVersion: Int) {
  tripUpdated(code: $code, afterVersion: $afterVersion) { event version trip { status } }
}`;
const TRIP_OFFERS = `subscription ($driverCode: ID!) {
  tripOffers(driverCode: $driverCode) { code type status availableDrivers { code } passenger { code } }
}`;
/** Includes the passenger's email, which a driver offered the trip may not read. */
const TRIP_OFFERS_WITH_EMAIL = `subscription ($driverCode: ID!) {
  tripOffers(driverCode: $driverCode) { code passenger { email } }
}`;

interface Update {
  event: string;
  version: number;
  occurredAt: string;
  trip: {
    code: string;
    status: string;
    version: number;
    driver: {
      code: string;
      firstName: string;
      lastName: string;
      car: { make: string; model: string; color: string; licensePlate: string };
    } | null;
    passenger: { code: string; email: string };
  };
}

interface Offer {
  code: string;
  type: string;
  status: string;
  availableDrivers: Array<{ code: string }>;
  passenger: { code: string };
}

const demoTrip: TripInput = {
  passengerCode: 'PX1001',
  source: places.microsoft,
  destination: places.redmond,
  type: 'DEMO',
};
const passenger = seedPassengers.find((p) => p.code === 'PX1001')!;

/** Far from every seeded driver (Portland, OR): NORMAL trips here are offered only to these two. */
const PORTLAND = { latitude: 45.5152, longitude: -122.6784 };
const OFFER_DRIVER = 'SUBPDX1';
const OTHER_OFFER_DRIVER = 'SUBPDX2';
const normalTripInPortland: TripInput = {
  passengerCode: 'PX1002',
  source: PORTLAND,
  destination: { latitude: PORTLAND.latitude + 0.03, longitude: PORTLAND.longitude },
  type: 'NORMAL',
};

const versionsOf = (updates: Array<{ version: number }>) => updates.map((u) => u.version);

/** Checks one DEMO trip's full stream: versions 1..final, a completed history, resolved entities. */
function expectWholeDemoTrip(updates: Update[], code: string) {
  const final = updates.at(-1)!;
  expect(versionsOf(updates)).toEqual(versionsUpTo(final.version));
  expect(updates.map((u) => u.event).join(' ')).toMatch(COMPLETED_HISTORY);
  expect(final.trip.status).toBe('COMPLETED');
  const assignedAt = updates.findIndex((u) => u.event === 'DRIVER_ASSIGNED');
  expect(assignedAt).toBeGreaterThan(0);
  for (const u of updates) {
    expect(u.trip.code).toBe(code);
    expect(u.trip.version).toBe(u.version);
    expect(u.trip.passenger).toEqual({ code: passenger.code, email: passenger.email });
  }
  for (const u of updates.slice(0, assignedAt)) expect(u.trip.driver).toBeNull();
  const driverCode = updates[assignedAt]!.trip.driver?.code;
  const seeded = seedDrivers.find((d) => d.code === driverCode);
  expect(seeded).toBeDefined();
  for (const u of updates.slice(assignedAt)) {
    expect(u.trip.driver).toEqual({
      code: seeded!.code,
      firstName: seeded!.firstName,
      lastName: seeded!.lastName,
      car: {
        make: seeded!.car.make,
        model: seeded!.car.model,
        color: seeded!.car.color,
        licensePlate: seeded!.car.licensePlate,
      },
    });
  }
}

// ---------------------------------------------------------------------------------------------

describe('GraphQL subscriptions through the gateway (graphql-ws, Kafka → notifier → Redis)', () => {
  let system: TestSystem;
  let trips: TripsApi;
  let redis: Redis;
  const clients: Client[] = [];

  /**
   * A graphql-ws client on a gateway, authenticated in `connection_init` (as an admin unless
   * `options` say otherwise, e.g. with `as(...)`); every client is disposed in afterAll.
   */
  const connect = (gatewayUrl: string, options: Partial<ClientOptions> = {}): Client => {
    const client = createClient({
      url: wsUrl(gatewayUrl),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: () => system.adminAuth(),
      ...options,
    });
    clients.push(client);
    return client;
  };

  /** Client options that authenticate as this passenger or driver. */
  const as = (role: 'passenger' | 'driver', code: string): Partial<ClientOptions> => ({
    connectionParams: async () => ({ authorization: `Bearer ${await system.token(role, code)}` }),
  });

  /** How many subscription payloads the gateway has resolved so far (its /metrics counter). */
  const resolutions = async () =>
    (await readMetrics(system.gatewayUrl)).gateway_subscription_resolutions_total!;

  /** `count` tripUpdated subscriptions to a trip from its first update, taking turns on `clients`. */
  const wholeTripSubscribers = <T>(count: number, clients: Client[], query: string, code: string) =>
    Array.from({ length: count }, (_, i) =>
      record<T>(clients[i % clients.length]!, 'tripUpdated', query, { code, afterVersion: 0 }),
    );

  const numsub = async (channel: string): Promise<number> => {
    const reply = (await redis.call('PUBSUB', 'NUMSUB', channel)) as [string, number | string];
    return Number(reply[1]);
  };

  beforeAll(async () => {
    system = await startTestSystem({
      ...fastLifecycleEnv,
      // Slow enough to act between two updates of a running trip (resume, two gateways).
      TRIP_MONITOR_INTERVAL_MS: '1000',
      // NORMAL trips stay DRIVERS_NOTIFIED for the whole file: active trips to watch.
      TRIP_ACCEPT_WINDOW_MS: '600000',
    });
    trips = tripsApi(system);
    await seedIfEmpty(system.gatewayUrl, await system.adminAuth());
    for (const [i, code] of [OFFER_DRIVER, OTHER_OFFER_DRIVER].entries()) {
      const driver = await system.query(
        'mutation ($input: CreateDriverInput!) { createDriver(input: $input) { code } }',
        {
          input: {
            code,
            firstName: 'Olive',
            lastName: `Offered ${i + 1}`,
            car: { make: 'Subaru', model: 'Outback', year: 2020, color: 'Grey', licensePlate: `PDX-SUB${i}` },
            location: { latitude: PORTLAND.latitude + i / 200, longitude: PORTLAND.longitude },
          },
        },
      );
      expect(driver.errors).toBeUndefined();
    }
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 3 });
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map(async (c) => c.dispose()));
    redis?.disconnect();
    await system?.stop();
  });

  it('should deliver every update of a demo trip from request to COMPLETED, in version order, with driver and passenger resolved from their subgraphs', async () => {
    const trip = await trips.request(demoTrip);
    const client = connect(system.gatewayUrl, as('passenger', demoTrip.passengerCode)); // their own trip
    // afterVersion 0: replay from the first event, then live; nothing can be missed to a race.
    const whole = record<Update>(client, 'tripUpdated', TRIP_UPDATED, { code: trip.code, afterVersion: 0 });
    // No afterVersion: live from the trip's version at subscription time.
    const live = record<Update>(client, 'tripUpdated', TRIP_UPDATED, { code: trip.code });

    await within(Promise.all([whole.ended, live.ended]), 30_000, `trip ${trip.code} to complete`);
    expect(whole.nextErrors).toEqual([]);
    expect(live.nextErrors).toEqual([]);
    expectWholeDemoTrip(whole.values, trip.code);
    const final = whole.values.at(-1)!.version;
    expect((await trips.get(trip.code)).version).toBe(final);

    // The live-only subscriber (subscribed seconds before the trip ended): a consecutive tail ending
    // in the same final update, with payloads identical to the replaying subscriber's.
    expect(live.values.length).toBeGreaterThanOrEqual(2);
    const first = live.values[0]!.version;
    expect(versionsOf(live.values)).toEqual(versionsUpTo(final).slice(first - 1));
    expect(live.values).toEqual(whole.values.slice(first - 1));

    // After the trip ended: afterVersion replays just the rest and completes; without it, nothing.
    const tail = record<Update>(client, 'tripUpdated', TRIP_UPDATED, {
      code: trip.code,
      afterVersion: final - 2,
    });
    const none = record<Update>(client, 'tripUpdated', TRIP_UPDATED, { code: trip.code });
    await within(
      Promise.all([tail.ended, none.ended]),
      10_000,
      'subscriptions to a finished trip to complete',
    );
    expect(tail.values).toEqual(whole.values.slice(-2));
    expect(none.values).toEqual([]);
  });

  it('should resume after a disconnect with exactly the missed updates, then live ones, with no gap and no duplicate', async () => {
    const trip = await trips.request(demoTrip);
    const before = connect(system.gatewayUrl);
    const first = record<Update>(before, 'tripUpdated', TRIP_UPDATED, { code: trip.code, afterVersion: 0 });
    // Up to DRIVER_ASSIGNED; the monitor moves the trip on once a second from there.
    await first.received(3);
    await before.dispose(); // the connection is gone mid-trip
    const seen = [...first.values];
    const last = seen.at(-1)!.version;
    expect(versionsOf(seen)).toEqual(versionsUpTo(last));
    expect(first.completed).toBe(false);

    // At least two updates happen while disconnected, so the resume must replay more than the
    // latest one (a resume that only starts from the trip's current version would show a gap).
    const missedUpTo = await waitFor(
      async () => {
        const { version } = await trips.get(trip.code);
        return version >= last + 2 ? version : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 50, what: `trip ${trip.code} to move two versions past v${last}` },
    );
    const after = connect(system.gatewayUrl);
    const resumed = record<Update>(after, 'tripUpdated', TRIP_UPDATED, {
      code: trip.code,
      afterVersion: last,
    });
    await within(resumed.ended, 30_000, `trip ${trip.code} to complete`);
    expect(resumed.nextErrors).toEqual([]);

    const final = resumed.values.at(-1)!.version;
    // Precondition for "then live": the trip was still running when the client came back.
    expect(missedUpTo).toBeLessThan(final);
    expect(versionsOf(resumed.values)).toEqual(versionsUpTo(final).slice(last));
    const union = [...seen, ...resumed.values];
    expect(versionsOf(union)).toEqual(versionsUpTo(final));
    expectWholeDemoTrip(union, trip.code);
  });

  it('should resolve each update once for 50 subscribers with the same selection, not once per subscriber', async () => {
    const before = await resolutions();
    const trip = await trips.request(demoTrip);
    // 50 subscriptions multiplexed over 5 websocket connections.
    const sockets = Array.from({ length: 5 }, () => connect(system.gatewayUrl));
    const subscribers = wholeTripSubscribers<Update>(50, sockets, TRIP_UPDATED, trip.code);
    await within(Promise.all(subscribers.map((s) => s.ended)), 30_000, '50 subscriptions to complete');

    const delivered = subscribers[0]!.values;
    expectWholeDemoTrip(delivered, trip.code);
    for (const s of subscribers) {
      expect(s.nextErrors).toEqual([]);
      expect(s.values).toEqual(delivered);
    }
    expect((await resolutions()) - before).toBe(delivered.length);
  });

  it('should resolve each update once per distinct selection: 2 selections cost 2 resolutions per event', async () => {
    const before = await resolutions();
    const trip = await trips.request(demoTrip);
    const sockets = Array.from({ length: 2 }, () => connect(system.gatewayUrl));
    const full = wholeTripSubscribers<Update>(10, sockets, TRIP_UPDATED, trip.code);
    const slim = wholeTripSubscribers<Pick<Update, 'event' | 'version'> & { trip: { status: string } }>(
      10,
      sockets,
      TRIP_UPDATED_SLIM,
      trip.code,
    );
    await within(Promise.all([...full, ...slim].map((s) => s.ended)), 30_000, '20 subscriptions to complete');

    const events = full[0]!.values.length;
    expectWholeDemoTrip(full[0]!.values, trip.code);
    for (const s of slim) {
      expect(s.nextErrors).toEqual([]);
      expect(s.values).toEqual(
        full[0]!.values.map((u) => ({ event: u.event, version: u.version, trip: { status: u.trip.status } })),
      );
    }
    expect((await resolutions()) - before).toBe(2 * events);
  });

  it("should deliver to a driver's tripOffers each trip offered to that driver, and a field it may not read as an error in the update, not as the end of the subscription", async () => {
    // Each driver watches its own offers, with its own token.
    const offers = record<Offer>(
      connect(system.gatewayUrl, as('driver', OFFER_DRIVER)),
      'tripOffers',
      TRIP_OFFERS,
      {
        driverCode: OFFER_DRIVER,
      },
    );
    const withEmail = record<unknown>(
      connect(system.gatewayUrl, as('driver', OTHER_OFFER_DRIVER)),
      'tripOffers',
      TRIP_OFFERS_WITH_EMAIL,
      { driverCode: OTHER_OFFER_DRIVER },
    );
    const channels = [OFFER_DRIVER, OTHER_OFFER_DRIVER].map((code) => `driver-offers:${code}`);
    for (const channel of channels)
      await waitFor(async () => (await numsub(channel)) > 0, { what: `a Redis subscriber on ${channel}` });

    const first = await trips.request(normalTripInPortland);
    await Promise.all([offers.received(1), withEmail.received(1)]);
    const second = await trips.request(normalTripInPortland);
    await Promise.all([offers.received(2), withEmail.received(2)]);
    expect(offers.nextErrors).toEqual([]);
    const byCode = (a: { code: string }, b: { code: string }) => a.code.localeCompare(b.code);
    expect(
      offers.values.map((o) => ({ ...o, availableDrivers: [...o.availableDrivers].sort(byCode) })),
    ).toEqual(
      [first, second].map((t) => ({
        code: t.code,
        type: 'NORMAL',
        status: 'DRIVERS_NOTIFIED',
        availableDrivers: [{ code: OFFER_DRIVER }, { code: OTHER_OFFER_DRIVER }],
        passenger: { code: normalTripInPortland.passengerCode },
      })),
    );
    // The email is refused (and, being non-null, nulls the offer); the error names the subscriber's
    // own field, and the subscription carries on with the next offer.
    expect(withEmail.values).toEqual([null, null]);
    expect(withEmail.nextErrors).toMatchObject(
      [first, second].map(() => ({
        path: ['tripOffers', 'passenger', 'email'],
        extensions: { code: 'FORBIDDEN' },
      })),
    );
    expect(withEmail.failure).toBeUndefined();
    expect(withEmail.completed).toBe(false);

    offers.unsubscribe();
    withEmail.unsubscribe();
    for (const channel of channels)
      await waitFor(async () => (await numsub(channel)) === 0, { what: `${channel} to have no subscriber` });
  });

  it('should answer a subscription to an unknown trip with NOT_FOUND and a negative afterVersion with BAD_USER_INPUT', async () => {
    const client = connect(system.gatewayUrl);
    const unknown = record<Update>(client, 'tripUpdated', TRIP_UPDATED, { code: 'NO-SUCH-TRIP' });
    await expect(within(unknown.ended, 10_000, 'the NOT_FOUND error')).rejects.toMatchObject([
      { extensions: { code: 'NOT_FOUND' } },
    ]);

    const trip = await trips.request(normalTripInPortland);
    const negative = record<Update>(client, 'tripUpdated', TRIP_UPDATED, {
      code: trip.code,
      afterVersion: -1,
    });
    await expect(within(negative.ended, 10_000, 'the BAD_USER_INPUT error')).rejects.toMatchObject([
      { extensions: { code: 'BAD_USER_INPUT', field: 'afterVersion' } },
    ]);
    expect(unknown.values).toEqual([]);
    expect(negative.values).toEqual([]);
  });

  describe('the graphql-transport-ws protocol on raw sockets', () => {
    const sockets: RawSocket[] = [];
    afterAll(() => sockets.forEach((s) => s.terminate()));

    /** Opens a socket with the graphql-ws subprotocol; resolves once open. */
    const open = async () => {
      const socket = await RawSocket.open(system.gatewayUrl);
      sockets.push(socket);
      return socket;
    };

    it('should close with 4401 when a subscribe comes before connection_init', async () => {
      const socket = await open();
      socket.send({
        id: '1',
        type: 'subscribe',
        payload: { query: 'subscription { tripOffers(driverCode: "AA100") { code } }' },
      });
      expect(await socket.closedWithin()).toEqual({ code: 4401, reason: 'Unauthorized' });
    });

    it('should close with 4400 on a subscribe message without id and payload', async () => {
      const socket = await open();
      socket.send('{"type":"subscribe"}');
      expect(await socket.closedWithin()).toEqual({ code: 4400, reason: 'Invalid message received' });
    });

    it('should close with 4400 on invalid JSON after connection_init', async () => {
      const socket = await open();
      socket.send({ type: 'connection_init', payload: await system.adminAuth() });
      // The first message the server sends.
      expect(await socket.next(() => true, 'connection_ack', 5_000)).toEqual({ type: 'connection_ack' });
      socket.send('{"type": "subscribe", not json');
      expect(await socket.closedWithin()).toEqual({ code: 4400, reason: 'Invalid message received' });
    });
  });

  describe('with a second gateway on the same Redis', () => {
    let gateway2: RunningService;
    /** The second gateway runs with the inspector, so the churn test can force a GC in it. */
    let inspectorUrl = '';

    beforeAll(async () => {
      const env = system.envFor('gateway');
      env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:0`.trim();
      const output: string[] = [];
      try {
        gateway2 = await startService('gateway2', 'gateway/src/index.ts', env, (line) => {
          output.push(line);
          inspectorUrl ||= /Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1] ?? '';
        });
      } catch (err) {
        throw new Error(
          `${err instanceof Error ? err.message : String(err)}\n${output.slice(-20).join('\n')}`,
        );
      }
      expect(inspectorUrl).toMatch(/^ws:\/\//);
    });

    afterAll(async () => {
      await gateway2?.stop();
    });

    it('should deliver the same updates to subscribers on both gateways', async () => {
      const trip = await trips.request(demoTrip);
      const on1 = record<Update>(connect(system.gatewayUrl), 'tripUpdated', TRIP_UPDATED, {
        code: trip.code,
        afterVersion: 0,
      });
      const on2 = record<Update>(connect(gateway2.url), 'tripUpdated', TRIP_UPDATED, {
        code: trip.code,
        afterVersion: 0,
      });
      await Promise.all([on1.received(1), on2.received(1)]);
      // Both streams were live before the trip ended, so what follows reached each gateway via Redis.
      const atSubscribe = (await trips.get(trip.code)).status;
      expect(['COMPLETED', 'ABORTED']).not.toContain(atSubscribe);

      await within(Promise.all([on1.ended, on2.ended]), 30_000, `trip ${trip.code} to complete on both`);
      expect(on1.nextErrors).toEqual([]);
      expect(on2.nextErrors).toEqual([]);
      expectWholeDemoTrip(on1.values, trip.code);
      expect(on2.values).toEqual(on1.values);
    });

    it('should leave no Redis subscription, no socket and no heap growth beyond 3 MB (measured after forced GCs) after 1,000 subscribe/unsubscribe cycles', async () => {
      const trip = await trips.request(normalTripInPortland);
      await trips.waitForStatus(trip.code, 'DRIVERS_NOTIFIED'); // active, and stays so (long accept window)
      const channel = `trip:${trip.code}`;
      // Eager connections: a lazy client would also close and reopen its socket whenever it has no
      // subscription for a moment, which is connection churn, not subscription churn.
      const sockets = Array.from({ length: 4 }, () => connect(gateway2.url, { lazy: false }));
      const lanesPerSocket = 5;

      /** One cycle: subscribe, wait until the stream is live (its first update arrived), unsubscribe. */
      const cycle = async (client: Client) => {
        const sub = record<{ version: number }>(
          client,
          'tripUpdated',
          'subscription ($code: ID!) { tripUpdated(code: $code, afterVersion: 0) { version } }',
          { code: trip.code },
        );
        await sub.received(1, 10_000);
        sub.unsubscribe();
      };
      const churn = async (cycles: number) => {
        let done = 0;
        const lanes = sockets.flatMap((client) => Array.from({ length: lanesPerSocket }, () => client));
        await Promise.all(
          lanes.map(async (client, lane) => {
            for (let i = lane; i < cycles; i += lanes.length) {
              await cycle(client);
              done++;
            }
          }),
        );
        return done;
      };

      // The measure means something: a live subscription shows in Redis, and goes with its unsubscribe.
      const probe = record<{ version: number }>(sockets[0]!, 'tripUpdated', TRIP_UPDATED_SLIM, {
        code: trip.code,
        afterVersion: 0,
      });
      await probe.received(1);
      expect(await numsub(channel)).toBe(1);
      probe.unsubscribe();
      await waitFor(async () => (await numsub(channel)) === 0, { what: `${channel} to have no subscriber` });

      /** The gateway's own heap figure (/metrics), right after a forced full GC. */
      const metricsAfterGc = async () => {
        await collectGarbage(inspectorUrl);
        return readMetrics(gateway2.url);
      };

      // Warm-up (JIT, lazily built structures), then the baseline.
      expect(await churn(100)).toBe(100);
      await waitFor(async () => (await numsub(channel)) === 0, { what: `${channel} to have no subscriber` });
      const baseline = await metricsAfterGc();

      expect(await churn(1000)).toBe(1000);
      await waitFor(async () => (await numsub(channel)) === 0, {
        what: `${channel} to have no subscriber after the churn`,
      });
      const channels = (await redis.call('PUBSUB', 'CHANNELS', `trip:${trip.code}`)) as string[];
      expect(channels).toEqual([]);

      // Dropped connections free their subscriptions too: 50 live subscriptions share one Redis
      // SUBSCRIBE, and closing the sockets (dispose sends no `complete`) releases it.
      const live = Array.from({ length: 50 }, (_, i) =>
        record<{ version: number }>(sockets[i % 4]!, 'tripUpdated', TRIP_UPDATED_SLIM, {
          code: trip.code,
          afterVersion: 0,
        }),
      );
      await Promise.all(live.map((sub) => sub.received(1)));
      expect(await numsub(channel)).toBe(1);
      await Promise.all(sockets.map(async (s) => s.dispose()));
      await waitFor(async () => (await numsub(channel)) === 0, {
        what: `${channel} to have no subscriber after the sockets closed`,
      });

      await waitFor(
        async () =>
          (await readMetrics(gateway2.url)).gateway_websocket_connections ===
          baseline.gateway_websocket_connections! - sockets.length,
        { what: 'the gateway to drop the churn sockets' },
      );
      // After 1,050 more subscriptions only bounded state may remain (payloads shared for 10 s, a few
      // per trip version). Measured noise is about 1 MB either way; a leak of 3 KB per subscription
      // would show as 3 MB (smaller leaks need more cycles than this test runs).
      const after = await metricsAfterGc();
      const growthMB = (after.nodejs_heap_size_used_bytes! - baseline.nodejs_heap_size_used_bytes!) / 2 ** 20;
      expect(growthMB).toBeLessThan(3);
    });

    it('should close open subscription sockets with 1001 when the gateway shuts down', async () => {
      const trip = await trips.request(normalTripInPortland);
      await trips.waitForStatus(trip.code, 'DRIVERS_NOTIFIED');
      const closes: Array<{ code: number; reason: string }> = [];
      const client = connect(gateway2.url, {
        on: { closed: (event) => closes.push(event as { code: number; reason: string }) },
      });
      const updates = record<Update>(client, 'tripUpdated', TRIP_UPDATED, {
        code: trip.code,
        afterVersion: 0,
      });
      const offers = record<Offer>(client, 'tripOffers', TRIP_OFFERS, { driverCode: OFFER_DRIVER });
      await updates.received(2); // TRIP_REQUESTED, DRIVERS_NOTIFIED: live and waiting for more

      expect(await gateway2.stop()).toBe(0); // SIGTERM, clean exit
      await waitFor(() => closes.length > 0, { what: 'the client to see the socket close' });
      expect(closes).toEqual([expect.objectContaining({ code: 1001, reason: 'Going away' })]);
      // Both open subscriptions end with that close (the client does not retry here).
      for (const sub of [updates, offers]) {
        await expect(within(sub.ended, 5_000, 'the subscription to end')).rejects.toMatchObject({
          code: 1001,
        });
      }
    });
  });
});
