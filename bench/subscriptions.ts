/**
 * Subscriptions benchmark (issue 5): one gateway process, S graphql-ws subscribers over T trips, E trip
 * events/s for D seconds; then the same load on the naive path (a second, fresh gateway started with
 * GATEWAY_SUBSCRIPTION_DEDUP=off: one resolution per subscriber per event) in the same run.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 MONGO_URL=mongodb://127.0.0.1:27017 REDIS_URL=redis://127.0.0.1:6379 \
 *     npm run bench:subscriptions
 *
 * Knobs: BENCH_SUBSCRIBERS (5000; a comma-separated list such as 1000,2500,5000 runs each level in
 * turn), BENCH_TRIPS (1000), BENCH_EVENT_RATE (500 events/s), BENCH_DURATION_S (30), BENCH_WARMUP_S (3,
 * published but not measured), BENCH_DRAIN_S (60: how long to wait for the last deliveries),
 * BENCH_SUBSCRIPTIONS_PER_SOCKET (1: one WebSocket per subscriber; more multiplexes them),
 * BENCH_SUBSCRIBE_RATE (100 subscriptions/s while connecting: each costs the trips service two reads),
 * BENCH_SELECTION_MIX (`per-trip`: every subscriber of a trip uses the same one of three selections;
 * `per-subscriber`: a trip's subscribers rotate through the three), BENCH_PATHS (shared,naive).
 *
 * Events without driving real trips: the bench inserts T trips (already STARTED, with a driver and a
 * passenger created through the gateway) and their history straight into the trips service's database,
 * exactly as its store writes them (lifecycle/transitions.ts builds each change and snapshot). Then, at
 * rate E, it appends each trip's next TRIP_RUNNING version to `trip_event_log`, projects it onto the
 * trip document, and publishes the event's live signal on Redis `trip:<code>` exactly as the notifier
 * does (the contracts' tripLiveMessages through its publishLive), stamping the publish time per (trip,
 * version). Log entries are written as already published, so the outbox relay does not also send them
 * to Kafka (nothing here consumes Kafka).
 *
 * Subscribers subscribe with `afterVersion` = the trip's version at that moment, so each must receive
 * exactly the versions published after it, in order: anything else counts as lost or out of order.
 * Latency is client receive time − publish time (one clock: publisher and clients share this process).
 * CPU time and RSS of each gateway come from /proc; resolutions from its /metrics.
 * Results go to stdout and bench/results/subscriptions-<time>.json.
 */
import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { MongoClient, type AnyBulkWriteOperation, type Collection } from 'mongodb';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { envEnum, envInt, envString, fillChannel, readInfraConfig, readRedisPrefix } from '@rideshare/common';
import { createTripEvent, LIVE_CHANNELS, tripLiveMessages, type LiveMessage } from '@rideshare/events';
import { publishLive } from '../events/src/workers/notifier';
import {
  metricTotals,
  scrapeMetrics,
  startService,
  startTestSystem,
  type TestSystem,
} from '@rideshare/testing';
import { requestedTrip } from '../subgraphs/trips/src/lifecycle/requested-trip';
import { EVENT_SOURCE } from '../subgraphs/trips/src/lifecycle/store';
import { applyChange, toSnapshot, type TripChange } from '../subgraphs/trips/src/lifecycle/transitions';
import type { TripDocument, TripEventLogRecord, TripRecord } from '../subgraphs/trips/src/models';
import {
  cpuMs,
  machineCpuMs,
  machineNote,
  mapLimit,
  procStatusMiB,
  seededRandom,
  sleep,
  stopOnSignal,
  summarize,
  writeResult,
} from './bench-util';
import { findDatabasePid, findPidsByComm } from './proc';

const LEVELS = envString('BENCH_SUBSCRIBERS', '5000')
  .split(',')
  .map((s) => Number(s.trim()));
for (const l of LEVELS)
  if (!Number.isInteger(l) || l < 1 || l > 50_000) throw new Error(`BENCH_SUBSCRIBERS: bad level "${l}"`);
const TRIPS = envInt('BENCH_TRIPS', 1_000, { min: 1, max: 20_000 });
const RATE = envInt('BENCH_EVENT_RATE', 500, { min: 1, max: 20_000 });
const DURATION_S = envInt('BENCH_DURATION_S', 30, { min: 1, max: 600 });
const WARMUP_S = envInt('BENCH_WARMUP_S', 3, { min: 0, max: 60 });
const DRAIN_S = envInt('BENCH_DRAIN_S', 60, { min: 1, max: 600 });
const PER_SOCKET = envInt('BENCH_SUBSCRIPTIONS_PER_SOCKET', 1, { min: 1, max: 10_000 });
const IDLE_S = 5;
const SUBSCRIBE_RATE = envInt('BENCH_SUBSCRIBE_RATE', 100, { min: 1, max: 100_000 });
const MIX = envEnum('BENCH_SELECTION_MIX', 'per-trip', ['per-trip', 'per-subscriber'] as const);
const PATHS = envString('BENCH_PATHS', 'shared,naive')
  .split(',')
  .map((p) => p.trim());
for (const p of PATHS) if (p !== 'shared' && p !== 'naive') throw new Error(`BENCH_PATHS: unknown "${p}"`);
// The gateways started here inherit REDIS_NAMESPACE: publish and look for channels inside it too.
const REDIS_PREFIX = readRedisPrefix();
const DRIVERS = Math.min(50, TRIPS);
const PASSENGERS = Math.min(50, TRIPS);

/** Three selections, from cheap (trips subgraph only) to all three subgraphs. */
const SELECTIONS = [
  { name: 'status', fields: 'version event trip { status driverLocation { latitude longitude } }' },
  {
    name: 'driver',
    fields:
      'version event occurredAt trip { status driver { firstName lastName car { make model color licensePlate } } }',
  },
  {
    name: 'full',
    fields:
      'version event trip { status monitorIterations driverLocation { latitude longitude } passenger { firstName email } driver { firstName car { make model } } }',
  },
] as const;
const subscriptionQuery = (selection: number) =>
  `subscription ($code: ID!, $after: Int) { tripUpdated(code: $code, afterVersion: $after) { ${SELECTIONS[selection]?.fields} } }`;

const CENTER = { latitude: 47.6101, longitude: -122.2015 };
const pad = (i: number) => String(i).padStart(5, '0');
const r1 = (v: number) => Math.round(v * 10) / 10;

// ---------------------------------------------------------------------------------------------
// Trips and their events, written the way the trips service writes them.
// ---------------------------------------------------------------------------------------------

interface TripState {
  record: TripRecord;
}

function logEntry(record: TripRecord, set: Partial<TripRecord>, event: TripRecord['events'][number]) {
  const kind = event.type;
  return {
    _id: `${record.code}:${record.version}`,
    code: record.code,
    version: record.version,
    set,
    entry: event,
    envelope: createTripEvent(kind, toSnapshot(record), EVENT_SOURCE, event.occurredAt),
    published: true, // the bench is the notifier here; the relay must not send these to Kafka
    createdAt: event.occurredAt,
  } satisfies TripEventLogRecord;
}

/** Applies one change to the in-memory trip; returns the log entry and what the document gets. */
function change(state: TripState, c: TripChange, now: Date) {
  const before = state.record;
  const transition = applyChange(before, c, now);
  if (!transition.ok) throw new Error(transition.reason);
  const entry = {
    type: c.event,
    version: transition.next.version,
    occurredAt: now,
    status: transition.next.status,
  };
  const events = [...before.events, entry];
  state.record = { ...transition.next, events };
  return {
    log: logEntry(state.record, transition.set, entry),
    update: {
      updateOne: {
        filter: { _id: state.record.code },
        update: { $set: { ...transition.set, events } },
      },
    },
  };
}

async function createTrips(
  tripsDb: { trips: Collection<TripDocument>; log: Collection<TripEventLogRecord> },
  random: () => number,
  phase: number,
): Promise<TripState[]> {
  const states: TripState[] = [];
  const logs: TripEventLogRecord[] = [];
  const now = Date.now();
  for (let i = 0; i < TRIPS; i++) {
    const at = (s: number) => new Date(now - 60_000 + s * 1000);
    const source = {
      latitude: CENTER.latitude + (random() - 0.5) * 0.05,
      longitude: CENTER.longitude + (random() - 0.5) * 0.07,
    };
    const destination = { latitude: source.latitude + 0.02, longitude: source.longitude + 0.02 };
    const driverCode = `SD${pad(i % DRIVERS)}`;
    const requested = requestedTrip({
      code: `SB${phase}X${pad(i)}${Math.floor(random() * 1e6)
        .toString(36)
        .toUpperCase()}`,
      type: 'DEMO',
      passengerCode: `SP${pad(i % PASSENGERS)}`,
      source,
      destination,
      requestedAt: at(0),
    });
    const state: TripState = { record: requested };
    logs.push(logEntry(requested, requested, requested.events[0]!)); // version 1 sets the whole trip
    for (const [c, s] of [
      [{ event: 'DRIVERS_NOTIFIED', driverCodes: [driverCode], acceptDeadline: at(120) }, 1],
      [{ event: 'DRIVER_ASSIGNED', driverCode, nextMonitorAt: at(12) }, 2],
      [{ event: 'TRIP_STARTED', driverLocation: source, nextMonitorAt: at(3_600) }, 12],
    ] as Array<[TripChange, number]>)
      logs.push(change(state, c, at(s)).log);
    states.push(state);
  }
  for (let i = 0; i < logs.length; i += 1_000) await tripsDb.log.insertMany(logs.slice(i, i + 1_000));
  const docs = states.map((s) => ({ _id: s.record.code, ...s.record }));
  for (let i = 0; i < docs.length; i += 500) await tripsDb.trips.insertMany(docs.slice(i, i + 500));
  return states;
}

/** Appends the next TRIP_RUNNING of each trip, projects it, then publishes it like the notifier. */
function eventWriter(
  tripsDb: { trips: Collection<TripDocument>; log: Collection<TripEventLogRecord> },
  redis: Redis,
  states: TripState[],
  publishedAt: Map<string, number>,
) {
  let next = 0;
  return async (count: number) => {
    const now = new Date();
    const logs: TripEventLogRecord[] = [];
    const updates: AnyBulkWriteOperation<TripDocument>[] = [];
    const signals: Array<{ key: string; messages: LiveMessage[] }> = [];
    for (let k = 0; k < count; k++) {
      const state = states[next % states.length]!;
      next++;
      const { record } = state;
      const step = (record.monitorIterations % 50) / 50;
      const driverLocation = {
        latitude: record.source.latitude + (record.destination.latitude - record.source.latitude) * step,
        longitude: record.source.longitude + (record.destination.longitude - record.source.longitude) * step,
      };
      const c = change(
        state,
        { event: 'TRIP_RUNNING', driverLocation, nextMonitorAt: new Date(now.getTime() + 3_600_000) },
        now,
      );
      logs.push(c.log);
      updates.push(c.update);
      signals.push({
        key: `${record.code}:${state.record.version}`,
        messages: tripLiveMessages(c.log.envelope),
      });
    }
    await tripsDb.log.insertMany(logs, { ordered: false });
    // FerretDB 1.x keeps every statement's query open until a multi-statement update finishes, and
    // deadlocks once they fill its 100-connection pool: at most 50 updates per command.
    for (let i = 0; i < updates.length; i += 50)
      await tripsDb.trips.bulkWrite(updates.slice(i, i + 50), { ordered: false });
    const t = performance.now();
    for (const s of signals) publishedAt.set(s.key, t);
    await publishLive(
      redis,
      signals.flatMap((s) => s.messages),
      REDIS_PREFIX,
    );
  };
}

/** Publishes `rate` events/s for `seconds`, in small batches; returns how many and how long it took. */
async function publishFor(
  write: (count: number) => Promise<void>,
  seconds: number,
  /** Keep going after `seconds` until this holds (at most `maxSeconds` in all). */
  until: () => boolean = () => true,
  maxSeconds = seconds,
) {
  const start = performance.now();
  let emitted = 0;
  let batches = 0;
  let maxBatch = 0;
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= seconds * 1000 && (until() || elapsed >= maxSeconds * 1000)) break;
    const due = Math.min(Math.floor((elapsed / 1000) * RATE) + 1 - emitted, TRIPS);
    if (due > 0) {
      await write(due);
      emitted += due;
      batches++;
      maxBatch = Math.max(maxBatch, due);
    }
    await sleep(5);
  }
  const took = (performance.now() - start) / 1000;
  return { events: emitted, seconds: took, rate: emitted / took, batches, maxBatch };
}

// ---------------------------------------------------------------------------------------------
// Subscribers
// ---------------------------------------------------------------------------------------------

interface Subscriber {
  trip: number;
  selection: number;
  after: number;
  last: number;
  received: number;
  outOfOrder: number;
  badPayloads: number;
  errors: string[];
  ended: boolean;
}

interface Deliveries {
  latencies: number[];
  /** Per measured event (trip:version): when its first and its last subscriber received it. */
  perEvent: Map<string, { published: number; first: number; last: number }>;
  /** Deliveries whose receive time falls inside the measured window. */
  inWindow: number;
  windowStart: number;
  windowEnd: number;
  measuredFrom: number;
}

async function connectSubscribers(
  url: string,
  authorization: string,
  count: number,
  states: TripState[],
  publishedAt: Map<string, number>,
  deliveries: Deliveries,
) {
  const subscribers: Subscriber[] = Array.from({ length: count }, (_, j) => {
    const trip = j % TRIPS;
    const selection =
      MIX === 'per-trip' ? trip % SELECTIONS.length : Math.floor(j / TRIPS) % SELECTIONS.length;
    const after = states[trip]!.record.version;
    return {
      trip,
      selection,
      after,
      last: after,
      received: 0,
      outOfOrder: 0,
      badPayloads: 0,
      errors: [],
      ended: false,
    };
  });
  const groups: Subscriber[][] = [];
  for (let i = 0; i < subscribers.length; i += PER_SOCKET) groups.push(subscribers.slice(i, i + PER_SOCKET));
  const clients: Client[] = [];
  const closeCodes: Record<string, number> = {};
  let closing = false;
  const started = performance.now();
  // Subscribing costs the trips service two trip reads (the gateway's access probe and the current
  // version), so subscriptions are paced at SUBSCRIBE_RATE per second.
  let nextSlot = performance.now();
  const throttle = async () => {
    const wait = nextSlot - performance.now();
    nextSlot = Math.max(nextSlot, performance.now()) + 1000 / SUBSCRIBE_RATE;
    if (wait > 0) await sleep(wait);
  };
  await mapLimit(groups, 50, async (group) => {
    let connected!: () => void;
    let failed!: (err: Error) => void;
    const ready = new Promise<void>((resolve, reject) => ((connected = resolve), (failed = reject)));
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization },
      retryAttempts: 0,
      connectionAckWaitTimeout: 60_000,
      on: {
        connected: () => connected(),
        closed: (event) => {
          if (!closing) {
            const { code, reason } = event as { code?: number; reason?: string };
            const key = `${code} ${reason ?? ''}`.trim();
            closeCodes[key] = (closeCodes[key] ?? 0) + 1;
          }
          failed(new Error(`socket closed before ack: ${(event as { code?: number }).code}`));
        },
      },
    });
    clients.push(client);
    for (const sub of group) {
      await throttle();
      const code = states[sub.trip]!.record.code;
      client.subscribe<{ tripUpdated: { version: number; trip: { status: string } | null } | null }>(
        { query: subscriptionQuery(sub.selection), variables: { code, after: sub.after } },
        {
          next: (result) => {
            const now = performance.now();
            const update = result.data?.tripUpdated;
            if (result.errors?.length) sub.errors.push(result.errors[0]?.message ?? 'error');
            if (!update) {
              sub.badPayloads++;
              return;
            }
            if (!update.trip || update.trip.status !== 'RUNNING') sub.badPayloads++;
            if (update.version !== sub.last + 1) sub.outOfOrder++;
            sub.last = Math.max(sub.last, update.version);
            sub.received++;
            const published = publishedAt.get(`${code}:${update.version}`);
            if (now >= deliveries.windowStart && now <= deliveries.windowEnd) deliveries.inWindow++;
            if (published !== undefined && published >= deliveries.measuredFrom) {
              deliveries.latencies.push(now - published);
              const key = `${code}:${update.version}`;
              const seen = deliveries.perEvent.get(key);
              if (seen) seen.last = now;
              else deliveries.perEvent.set(key, { published, first: now, last: now });
            }
          },
          error: (err) => {
            sub.errors.push(err instanceof Error ? err.message : JSON.stringify(err).slice(0, 200));
            sub.ended = true;
          },
          complete: () => {
            sub.ended = true;
          },
        },
      );
    }
    await ready;
  });
  return {
    subscribers,
    sockets: clients.length,
    connectSeconds: (performance.now() - started) / 1000,
    closedUnexpectedly: () => Object.values(closeCodes).reduce((a, b) => a + b, 0),
    closeCodes,
    async close() {
      closing = true;
      await Promise.all(clients.map((c) => Promise.resolve(c.dispose())));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Gateway processes
// ---------------------------------------------------------------------------------------------

/** The gateway's /metrics, each name's samples summed over their labels. */
const metrics = async (gatewayUrl: string): Promise<Record<string, number>> =>
  metricTotals(await scrapeMetrics(gatewayUrl.replace(/\/graphql$/, '/metrics')));

async function startGateway(system: TestSystem, path: 'shared' | 'naive', subscribers: number) {
  const logs: string[] = [];
  const gateway = await startService(
    `gateway-${path}`,
    'gateway/src/index.ts',
    {
      ...system.envFor('gateway'),
      PORT: '0',
      GATEWAY_SUBSCRIPTION_DEDUP: path === 'shared' ? 'on' : 'off',
      GATEWAY_WS_MAX_CONNECTIONS_PER_IDENTITY: String(subscribers + 100),
      GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: String(Math.max(100, PER_SOCKET)),
    },
    (line) => {
      logs.push(line);
      if (logs.length > 200) logs.shift();
    },
  );
  return { gateway, logs };
}

// ---------------------------------------------------------------------------------------------
// One phase: one gateway, one level of subscribers, warm-up + D seconds of events + drain.
// ---------------------------------------------------------------------------------------------

async function runPhase(
  system: TestSystem,
  path: 'shared' | 'naive',
  level: number,
  ctx: {
    authorization: string;
    states: TripState[];
    publishedAt: Map<string, number>;
    write: (count: number) => Promise<void>;
    redis: Redis;
  },
) {
  // A phase that overloaded the trips service leaves it a backlog of queries: wait it out first.
  const settleStart = performance.now();
  for (;;) {
    const t = performance.now();
    const res = await system.query('query ($code: ID!) { trip(code: $code) { version } }', {
      code: ctx.states[0]!.record.code,
    });
    if (!res.errors && performance.now() - t < 250) break;
    if (performance.now() - settleStart > 300_000) throw new Error('the trips service stayed overloaded');
    await sleep(1_000);
  }
  const settleSeconds = (performance.now() - settleStart) / 1000;
  const { gateway, logs } = await startGateway(system, path, level);
  const pid = gateway.child.pid ?? 0;
  const subgraphPids = Object.fromEntries(
    (['trips', 'drivers', 'passengers'] as const).map((n) => [n, system.services.get(n)?.child.pid ?? 0]),
  );
  const shared = {
    ferretdb: findDatabasePid(readInfraConfig().mongoUrl),
    redis: findPidsByComm('redis-server')[0] ?? 0,
  };
  let conn: Awaited<ReturnType<typeof connectSubscribers>> | undefined;
  try {
    await sleep(1_000);
    const rssBeforeMiB = procStatusMiB(pid, 'VmRSS');
    const deliveries: Deliveries = {
      latencies: [],
      perEvent: new Map(),
      inWindow: 0,
      windowStart: Number.POSITIVE_INFINITY,
      windowEnd: Number.POSITIVE_INFINITY,
      measuredFrom: Number.POSITIVE_INFINITY,
    };
    const wsUrl = gateway.url.replace(/^http/, 'ws');
    conn = await connectSubscribers(wsUrl, ctx.authorization, level, ctx.states, ctx.publishedAt, deliveries);
    // Wait until the gateway listens on every watched trip's channel, then let the subscriptions settle.
    const channels = [
      ...new Set(
        conn.subscribers.map(
          (s) =>
            REDIS_PREFIX + fillChannel(LIVE_CHANNELS.tripUpdated, { code: ctx.states[s.trip]!.record.code }),
        ),
      ),
    ];
    const listenDeadline = Date.now() + 120_000;
    for (;;) {
      const counts = (await ctx.redis.call('PUBSUB', 'NUMSUB', ...channels)) as Array<string | number>;
      const missing = channels.filter((_, i) => Number(counts[2 * i + 1]) < 1).length;
      if (missing === 0) break;
      const failed = conn.subscribers.filter((s) => s.errors.length > 0 || s.ended);
      if (failed.length > 0 || Date.now() > listenDeadline) {
        throw new Error(
          `gateway never subscribed to ${missing} channels; ${failed.length} subscriptions failed or ended` +
            (failed[0] ? ` (first: ${failed[0].errors[0] ?? 'completed'})` : ''),
        );
      }
      await sleep(250);
    }
    await sleep(2_000);
    const rssAfterMiB = procStatusMiB(pid, 'VmRSS');
    const connections = (await metrics(gateway.url)).gateway_websocket_connections ?? Number.NaN;
    console.log(
      `  [${path} ${level}] ${conn.sockets} sockets connected in ${r1(conn.connectSeconds)} s; gateway RSS ${r1(rssBeforeMiB)} → ${r1(rssAfterMiB)} MiB`,
    );

    // Progress every 10 s, so a stalled phase shows where it stalls.
    const subs = conn.subscribers;
    const received = () => subs.reduce((sum, s) => sum + s.received, 0);
    const expected = () => subs.reduce((sum, s) => sum + (ctx.states[s.trip]!.record.version - s.after), 0);
    let lastProgress = { t: performance.now(), gateway: cpuMs(pid), trips: cpuMs(subgraphPids.trips ?? 0) };
    const progress = setInterval(() => {
      const now = { t: performance.now(), gateway: cpuMs(pid), trips: cpuMs(subgraphPids.trips ?? 0) };
      const pct = (a: number, b: number) => Math.round(((b - a) / (now.t - lastProgress.t)) * 100);
      console.log(
        `    ${received()}/${expected()} delivered, ${subs.filter((s) => s.received > 0).length}/${subs.length} live, ` +
          `CPU gateway ${pct(lastProgress.gateway, now.gateway)}% trips ${pct(lastProgress.trips, now.trips)}%, load ${os.loadavg()[0]?.toFixed(1)}`,
      );
      lastProgress = now;
    }, 10_000);
    progress.unref();

    // Warm-up (published, delivered, checked for loss, but not measured): at least WARMUP_S, and until
    // every subscriber has received an update (its subscription is set up), for at most 120 s.
    const everyoneLive = () => subs.every((s) => s.received > 0 || s.ended);
    const warmup = await publishFor(ctx.write, WARMUP_S, everyoneLive, 120);
    const liveBeforeMeasuring = subs.filter((s) => s.received > 0).length;
    // Then let everyone catch up, so the measured window starts without a backlog.
    const catchUpStart = performance.now();
    while (received() < expected() && performance.now() - catchUpStart < 120_000) await sleep(100);
    const caughtUpSeconds = (performance.now() - catchUpStart) / 1000;
    const backlogBeforeMeasuring = expected() - received();

    // Measured window: D seconds of events, then until every delivery arrived (or the drain limit).
    const m0 = await metrics(gateway.url);
    const cpu0 = cpuMs(pid);
    const sub0 = Object.fromEntries(Object.entries(subgraphPids).map(([n, p]) => [n, cpuMs(p)]));
    const shared0 = Object.fromEntries(Object.entries(shared).map(([n, p]) => [n, cpuMs(p)]));
    const machine0 = machineCpuMs();
    const self0 = process.cpuUsage();
    const load0 = os.loadavg()[0] ?? 0;
    const eld = monitorEventLoopDelay({ resolution: 10 });
    eld.enable();
    deliveries.windowStart = performance.now();
    deliveries.measuredFrom = deliveries.windowStart;
    const published = await publishFor(ctx.write, DURATION_S);
    const publishEnd = performance.now();
    const drainDeadline = publishEnd + DRAIN_S * 1000;
    while (received() < expected() && performance.now() < drainDeadline) await sleep(100);
    deliveries.windowEnd = performance.now();
    clearInterval(progress);
    eld.disable();
    const cpu1 = cpuMs(pid);
    const m1 = await metrics(gateway.url);
    const sub1 = Object.fromEntries(Object.entries(subgraphPids).map(([n, p]) => [n, cpuMs(p)]));
    const shared1 = Object.fromEntries(Object.entries(shared).map(([n, p]) => [n, cpuMs(p)]));
    const machine1 = machineCpuMs();
    const self1 = process.cpuUsage(self0);
    // The gateway's CPU with every subscriber still connected and no events (keep-alives, timers, Redis).
    const idle0 = cpuMs(pid);
    await sleep(IDLE_S * 1000);
    const idleCpuPerSecond = (cpuMs(pid) - idle0) / 1000 / IDLE_S;
    const windowS = (deliveries.windowEnd - deliveries.windowStart) / 1000;

    const expectedTotal = expected();
    const receivedTotal = received();
    const gatewayCpuS = (cpu1 - cpu0) / 1000;
    const resolutions =
      (m1.gateway_subscription_resolutions_total ?? 0) - (m0.gateway_subscription_resolutions_total ?? 0);
    const measuredDeliveries = deliveries.latencies.length;
    const result = {
      path,
      subscribers: level,
      trips: TRIPS,
      sockets: conn.sockets,
      subscriptionsPerSocket: PER_SOCKET,
      selectionMix: MIX,
      settleSeconds: r1(settleSeconds),
      connectSeconds: r1(conn.connectSeconds),
      gatewayConnections: connections,
      rss: {
        beforeMiB: r1(rssBeforeMiB),
        afterConnectMiB: r1(rssAfterMiB),
        perSocketKiB: r1(((rssAfterMiB - rssBeforeMiB) * 1024) / conn.sockets),
        perSubscriberKiB: r1(((rssAfterMiB - rssBeforeMiB) * 1024) / level),
        endMiB: r1(procStatusMiB(pid, 'VmRSS')),
        peakMiB: r1(procStatusMiB(pid, 'VmHWM')),
      },
      liveBeforeMeasuring,
      /** Warm-up, then the wait until every subscriber had every warm-up update (setup cost). */
      setupSeconds: r1(warmup.seconds + caughtUpSeconds),
      backlogBeforeMeasuring,
      events: {
        warmup: warmup.events,
        warmupSeconds: r1(warmup.seconds),
        measured: published.events,
        targetRate: RATE,
        achievedRate: r1(published.rate),
        maxBatch: published.maxBatch,
      },
      deliveries: {
        expected: expectedTotal,
        received: receivedTotal,
        lost: expectedTotal - receivedTotal,
        outOfOrder: subs.reduce((n, s) => n + s.outOfOrder, 0),
        badPayloads: subs.reduce((n, s) => n + s.badPayloads, 0),
        subscribersWithErrors: subs.filter((s) => s.errors.length > 0).length,
        firstError: subs.find((s) => s.errors.length > 0)?.errors[0],
        endedEarly: subs.filter((s) => s.ended).length,
        socketsClosedUnexpectedly: conn.closedUnexpectedly(),
        closeCodes: conn.closeCodes,
        measured: measuredDeliveries,
        perSecond: r1(measuredDeliveries / DURATION_S),
        drainedAfterSeconds: r1((deliveries.windowEnd - publishEnd) / 1000),
        drained: receivedTotal >= expectedTotal,
      },
      latencyMs: summarize(deliveries.latencies),
      /**
       * Per event: publish → its first subscriber (Redis + one federated resolution, mostly the trips
       * service's database), and first → last subscriber (the gateway's fan-out of the shared payload).
       */
      firstDeliveryMs: summarize([...deliveries.perEvent.values()].map((e) => e.first - e.published)),
      fanOutSpreadMs: summarize([...deliveries.perEvent.values()].map((e) => e.last - e.first)),
      resolutions: {
        total: resolutions,
        perEvent: Math.round((resolutions / Math.max(1, published.events)) * 100) / 100,
      },
      cpu: {
        windowSeconds: r1(windowS),
        gatewaySeconds: Math.round(gatewayCpuS * 100) / 100,
        gatewayBusyPercentOfOneCore: r1((gatewayCpuS / windowS) * 100),
        deliveriesPerGatewayCpuSecond: r1(deliveries.inWindow / gatewayCpuS),
        /** The gateway's CPU per second with subscribers connected and no events, measured after. */
        idleGatewayCpuPercent: r1(idleCpuPerSecond * 100),
        /** Deliveries per gateway CPU-second above that idle cost (a small load is dominated by it). */
        deliveriesPerGatewayCpuSecondAboveIdle: r1(
          deliveries.inWindow / Math.max(0.01, gatewayCpuS - idleCpuPerSecond * windowS),
        ),
        deliveriesInWindow: deliveries.inWindow,
        subgraphSeconds: Object.fromEntries(
          Object.keys(subgraphPids).map((n) => [n, Math.round(((sub1[n] ?? 0) - (sub0[n] ?? 0)) / 10) / 100]),
        ),
        sharedServerSeconds: Object.fromEntries(
          Object.keys(shared).map((n) => [n, Math.round(((shared1[n] ?? 0) - (shared0[n] ?? 0)) / 10) / 100]),
        ),
        benchProcessSeconds: Math.round((self1.user + self1.system) / 1e4) / 100,
        benchEventLoopDelayP99Ms: r1(eld.percentile(99) / 1e6),
        machineBusyPercent: r1(((machine1.busy - machine0.busy) / (windowS * 1000 * os.cpus().length)) * 100),
        loadAvg1mStart: Math.round(load0 * 100) / 100,
        loadAvg1mEnd: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
      },
    };
    console.log(
      `  [${path} ${level}] ${result.deliveries.received}/${result.deliveries.expected} delivered (lost ${result.deliveries.lost}, out of order ${result.deliveries.outOfOrder}), ` +
        `${result.deliveries.perSecond}/s, latency p50 ${result.latencyMs.p50} p99 ${result.latencyMs.p99} ms, ` +
        `${result.resolutions.perEvent} resolutions/event, ${result.cpu.deliveriesPerGatewayCpuSecond} deliveries per gateway CPU-s, ` +
        `load ${result.cpu.loadAvg1mStart}→${result.cpu.loadAvg1mEnd}`,
    );
    console.log(
      `  [${path} ${level}] publish→first subscriber p50 ${result.firstDeliveryMs.p50} p99 ${result.firstDeliveryMs.p99} ms; ` +
        `first→last subscriber p50 ${result.fanOutSpreadMs.p50} p99 ${result.fanOutSpreadMs.p99} ms; ` +
        `RSS ${result.rss.perSocketKiB} KiB/socket; idle gateway CPU ${result.cpu.idleGatewayCpuPercent}%`,
    );
    if (result.deliveries.subscribersWithErrors > 0)
      console.log(`  first error: ${result.deliveries.firstError}`);
    return result;
  } catch (err) {
    console.error(logs.slice(-20).join('\n'));
    throw err;
  } finally {
    await conn?.close();
    await gateway.stop(10_000);
  }
}

async function main() {
  const machine = machineNote();
  console.log(
    `subscriptions bench: levels ${LEVELS.join(',')} subscribers over ${TRIPS} trips, ${RATE} events/s for ${DURATION_S} s ` +
      `(+${WARMUP_S} s warm-up), ${PER_SOCKET} subscription(s) per socket, selections ${MIX}, paths ${PATHS.join(',')}; ` +
      `load average ${machine.loadAvg.join(' ')} on ${machine.cpus} CPUs`,
  );
  // A phase's gateway (startService) stops itself once the bench is gone.
  const cleanup = stopOnSignal();
  const system = await startTestSystem(
    {
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    },
    { workers: false },
  );
  cleanup.add(() => system.stop());
  const mongo = new MongoClient(readInfraConfig().mongoUrl);
  cleanup.add(() => mongo.close());
  const redis = new Redis(readInfraConfig().redisUrl, { maxRetriesPerRequest: 3 });
  cleanup.add(() => redis.disconnect());
  try {
    const db = mongo.db(`${system.prefix}_trips`);
    const tripsDb = {
      trips: db.collection<TripDocument>('trips'),
      log: db.collection<TripEventLogRecord>('trip_event_log'),
    };
    // Drivers and passengers through the gateway (their subgraphs own them), trips straight into the log.
    const mutate = async (query: string, input: Record<string, unknown>) => {
      const res = await system.query(query, { input });
      if (res.errors?.length) throw new Error(res.errors[0]?.message);
    };
    await mapLimit(
      Array.from({ length: DRIVERS }, (_, i) => i),
      16,
      (i) =>
        mutate('mutation ($input: CreateDriverInput!) { createDriver(input: $input) { code } }', {
          code: `SD${pad(i)}`,
          firstName: 'Sub',
          lastName: `Driver ${i}`,
          car: { make: 'Toyota', model: 'Prius', year: 2022, color: 'Grey', licensePlate: `SD-${pad(i)}` },
          location: CENTER,
        }),
    );
    await mapLimit(
      Array.from({ length: PASSENGERS }, (_, i) => i),
      16,
      (i) =>
        mutate('mutation ($input: RegisterPassengerInput!) { registerPassenger(input: $input) { code } }', {
          code: `SP${pad(i)}`,
          firstName: 'Sub',
          lastName: `Passenger ${i}`,
          email: `sub.passenger.${i}@example.com`,
        }),
    );
    console.log(`created ${DRIVERS} drivers and ${PASSENGERS} passengers`);
    const authorization = (await system.adminAuth()).authorization;

    const phases: Array<Awaited<ReturnType<typeof runPhase>>> = [];
    const failures: Array<{ path: string; subscribers: number; error: string }> = [];
    let phase = 0;
    for (const level of LEVELS)
      for (const path of PATHS as Array<'shared' | 'naive'>) {
        // Every phase gets fresh trips and removes them after, so each starts from the same database
        // (on FerretDB the cost of every trip read grows with the size of the collections).
        phase++;
        const states = await createTrips(tripsDb, seededRandom(7), phase);
        const publishedAt = new Map<string, number>();
        const ctx = {
          authorization,
          states,
          publishedAt,
          write: eventWriter(tripsDb, redis, states, publishedAt),
          redis,
        };
        try {
          phases.push(await runPhase(system, path, level, ctx));
        } catch (err) {
          const error = err instanceof Error ? err.message : String(err);
          console.log(`  [${path} ${level}] FAILED: ${error}`);
          failures.push({ path, subscribers: level, error });
        } finally {
          const codes = states.map((s) => s.record.code);
          await tripsDb.log.deleteMany({ code: { $in: codes } });
          await tripsDb.trips.deleteMany({ code: { $in: codes } });
        }
      }

    const ratios = LEVELS.map((level) => {
      const shared = phases.find((p) => p.subscribers === level && p.path === 'shared');
      const naive = phases.find((p) => p.subscribers === level && p.path === 'naive');
      return {
        subscribers: level,
        // null when a phase is missing or the naive path delivered nothing in its measured window.
        deliveriesPerGatewayCpuSecond:
          shared && naive && naive.cpu.deliveriesInWindow > 0
            ? r1(shared.cpu.deliveriesPerGatewayCpuSecond / naive.cpu.deliveriesPerGatewayCpuSecond)
            : null,
        aboveIdle:
          shared && naive && naive.cpu.deliveriesInWindow > 0
            ? r1(
                shared.cpu.deliveriesPerGatewayCpuSecondAboveIdle /
                  naive.cpu.deliveriesPerGatewayCpuSecondAboveIdle,
              )
            : null,
      };
    });
    const result = {
      bench: 'subscriptions',
      at: new Date().toISOString(),
      command: 'npm run bench:subscriptions',
      config: {
        levels: LEVELS,
        trips: TRIPS,
        eventRate: RATE,
        durationS: DURATION_S,
        warmupS: WARMUP_S,
        drainS: DRAIN_S,
        subscriptionsPerSocket: PER_SOCKET,
        selectionMix: MIX,
        selections: SELECTIONS.map((s) => s.name),
      },
      machine: { ...machine, loadAvgAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100) },
      phases,
      failures,
      sharedVsNaive: ratios,
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(`results: ${writeResult('subscriptions', result)}`);
  } finally {
    await cleanup.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
