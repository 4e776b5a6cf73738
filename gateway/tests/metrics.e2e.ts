import type { Client } from 'graphql-ws';
import {
  appServices,
  fastLifecycleEnv,
  kafkaNames,
  metricValue,
  places,
  scrapeMetrics,
  seedIfEmpty,
  startTestSystem,
  tripsApi,
  waitFor,
  waitForWorkersReady,
  type AppServiceName,
  type ParsedMetrics,
  type TestSystem,
  type TripsApi,
} from '@rideshare/testing';
import { record, wsClient } from './security-helpers';

/**
 * /metrics end to end: every service of a real test system (gateway, three subgraphs, five workers,
 * real Kafka, FerretDB and Redis) serves Prometheus text that a parser accepts, and the trip, lag and
 * subscription metrics move as trips run.
 */

const TRIP_UPDATED = `subscription ($code: ID!) {
  tripUpdated(code: $code, afterVersion: 0) { event version trip { code status } }
}`;
interface Update {
  event: string;
  version: number;
}

/** What each kind of service must report beside the process metrics. */
const OWN_METRICS: Record<AppServiceName, string[]> = {
  gateway: [
    'gateway_request_duration_seconds',
    'gateway_subgraph_fetch_duration_seconds',
    'gateway_websocket_connections',
    'gateway_active_subscriptions',
    'gateway_subscription_deliveries_total',
    'gateway_subscription_resolutions_total',
    'gateway_subscription_shared_resolutions_total',
    'gateway_rate_limit_rejections_total',
  ],
  trips: ['trips_by_status', 'trips_active', 'outbox_pending_events', 'outbox_oldest_pending_age_seconds'],
  drivers: ['outbox_pending_events', 'outbox_oldest_pending_age_seconds'],
  passengers: [],
  orchestrator: ['kafka_consumer_lag', 'kafka_consumer_messages_handled_total'],
  simulator: ['kafka_consumer_lag', 'kafka_consumer_messages_handled_total'],
  archiver: ['kafka_consumer_lag', 'kafka_consumer_messages_handled_total'],
  reporting: ['kafka_consumer_lag', 'trips_completed_total', 'trips_aborted_total'],
  notifier: ['kafka_consumer_lag', 'kafka_consumer_dead_lettered_total', 'kafka_consumer_retries_total'],
  alerter: ['kafka_consumer_lag', 'kafka_consumer_messages_handled_total'],
};

describe('/metrics on every service', () => {
  let system: TestSystem;
  let trips: TripsApi;
  const clients: Client[] = [];

  const scrape = (name: AppServiceName): Promise<ParsedMetrics> => {
    const service = system.services.get(name);
    if (!service) throw new Error(`${name} is not running`);
    return scrapeMetrics(`http://127.0.0.1:${service.port}/metrics`);
  };
  const value = async (name: AppServiceName, metric: string, labels: Record<string, string> = {}) =>
    metricValue(await scrape(name), metric, labels);
  /** Polls until the metric has the value `wanted` says; returns it. */
  const until = (
    name: AppServiceName,
    metric: string,
    labels: Record<string, string>,
    wanted: (v: number) => boolean,
    what: string,
  ) =>
    waitFor(
      async () => {
        const v = await value(name, metric, labels);
        if (!wanted(v)) throw new Error(`${name} ${metric}${JSON.stringify(labels)} is ${v}`);
        return v;
      },
      { timeoutMs: 30_000, intervalMs: 200, what },
    );
  const group = (name: string) => kafkaNames(system.prefix).group(name);

  beforeAll(async () => {
    // A NORMAL trip waits for a hand-made accept, and then for a cancel, as long as a test needs
    // (DEMO trips are accepted at once and complete on arrival).
    system = await startTestSystem({
      ...fastLifecycleEnv,
      TRIP_ACCEPT_WINDOW_MS: '120000',
      TRIP_MONITOR_MAX_CHECKS: '1000',
    });
    trips = tripsApi(system);
    await seedIfEmpty(system.gatewayUrl, await system.adminAuth());
    await waitForWorkersReady(system);
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map(async (c) => c.dispose()));
    await system?.stop();
  });

  const subscriber = async () => {
    const client = wsClient(system.gatewayUrl, await system.token('admin', 'METRICS-ADMIN'));
    clients.push(client);
    return client;
  };

  it('should serve Prometheus text with HELP and TYPE, labelled by service, on every service', async () => {
    expect([...system.services.keys()].sort()).toEqual(appServices.map((s) => s.name).sort());
    for (const name of system.services.keys()) {
      const metrics = await scrape(name); // throws on text the parser refuses, or a family without HELP/TYPE
      const names = new Set(metrics.families.map((f) => f.name));
      for (const wanted of ['process_cpu_seconds_total', 'nodejs_heap_size_used_bytes', ...OWN_METRICS[name]])
        expect({ service: name, metric: wanted, present: names.has(wanted) }).toEqual({
          service: name,
          metric: wanted,
          present: true,
        });
      expect(metricValue(metrics, 'process_cpu_seconds_total', { service: name })).toBeGreaterThan(0);
    }
    // The trips service counts every status, none yet.
    expect(
      samplesOf(await scrape('trips'), 'trips_by_status')
        .map((s) => s.labels.status)
        .sort(),
    ).toEqual([
      'ABORTED',
      'COMPLETED',
      'DRIVERS_NOTIFIED',
      'DRIVER_ASSIGNED',
      'REQUESTED',
      'RUNNING',
      'STARTED',
    ]);
    // Each consumer reports its group's lag on every partition of the trip-events topic.
    const lag = samplesOf(await scrape('archiver'), 'kafka_consumer_lag');
    expect(lag.map((s) => s.labels)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          group: group('archiver'),
          topic: kafkaNames(system.prefix).topic,
          partition: '0',
        }),
      ]),
    );
    expect(new Set(lag.map((s) => s.labels.partition)).size).toBe(6);
  });

  it('should count a live subscription, its deliveries and the trip by status while a trip waits, and its cancel by reason', async () => {
    const requested = await trips.request({
      passengerCode: 'PX1002',
      source: places.microsoft,
      destination: places.redmond,
      type: 'NORMAL',
    });
    await trips.waitForStatus(requested.code, 'DRIVERS_NOTIFIED');
    const before = {
      deliveries: await value('gateway', 'gateway_subscription_deliveries_total', { field: 'tripUpdated' }),
      cancelled: await value('reporting', 'trips_aborted_total', { reason: 'cancelled' }),
    };
    const updates = record<Update>(await subscriber(), 'tripUpdated', TRIP_UPDATED, { code: requested.code });
    await updates.received(2); // REQUESTED, DRIVERS_NOTIFIED

    // The trip waits for a driver: its subscription is open and it counts as DRIVERS_NOTIFIED.
    const gateway = await scrape('gateway');
    expect(metricValue(gateway, 'gateway_active_subscriptions', { field: 'tripUpdated' })).toBe(1);
    expect(metricValue(gateway, 'gateway_websocket_connections')).toBe(1);
    expect(metricValue(gateway, 'gateway_subscription_deliveries_total', { field: 'tripUpdated' })).toBe(
      before.deliveries + 2,
    );
    const tripsNow = await scrape('trips');
    expect(metricValue(tripsNow, 'trips_by_status', { status: 'DRIVERS_NOTIFIED' })).toBe(1);
    expect(metricValue(tripsNow, 'trips_active')).toBe(1);

    // Cancelled: the stream ends with ABORTED, the subscription is gone, the outcome is counted by reason.
    const cancel = await system.query(
      'mutation ($code: ID!) { cancelTrip(code: $code, reason: "changed plans") { code status } }',
      { code: requested.code },
    );
    expect(cancel.errors).toBeUndefined();
    await updates.ended;
    expect(updates.values.map((u) => u.event)).toEqual([
      'TRIP_REQUESTED',
      'DRIVERS_NOTIFIED',
      'TRIP_ABORTED',
    ]);
    await until(
      'gateway',
      'gateway_active_subscriptions',
      { field: 'tripUpdated' },
      (v) => v === 0,
      'no open subscription',
    );
    await until(
      'reporting',
      'trips_aborted_total',
      { reason: 'cancelled' },
      (v) => v === before.cancelled + 1,
      'the cancel counted',
    );
    expect(await value('trips', 'trips_by_status', { status: 'ABORTED' })).toBe(1);
    expect(await value('trips', 'trips_active')).toBe(0);
  });

  it('should move the trip, consumer and subscription metrics as a DEMO trip runs to completion', async () => {
    const before = {
      completed: await value('reporting', 'trips_completed_total'),
      archived: await value('archiver', 'kafka_consumer_messages_handled_total', {
        group: group('archiver'),
      }),
      deliveries: await value('gateway', 'gateway_subscription_deliveries_total', { field: 'tripUpdated' }),
      requests: await value('gateway', 'gateway_request_duration_seconds_count', { type: 'mutation' }),
      tripsFetches: await value('gateway', 'gateway_subgraph_fetch_duration_seconds_count', {
        subgraph: 'trips',
        outcome: 'ok',
      }),
    };
    const requested = await trips.request({
      passengerCode: 'PX1001',
      source: places.microsoft,
      destination: places.redmond,
      type: 'DEMO',
    });
    const updates = record<Update>(await subscriber(), 'tripUpdated', TRIP_UPDATED, { code: requested.code });
    await updates.ended;
    const last = updates.values.at(-1);
    expect(last?.event).toBe('TRIP_COMPLETED');
    const version = last?.version ?? 0;
    expect(updates.values.map((u) => u.version)).toEqual(Array.from({ length: version }, (_, i) => i + 1));

    const gateway = await scrape('gateway');
    expect(metricValue(gateway, 'gateway_subscription_deliveries_total', { field: 'tripUpdated' })).toBe(
      before.deliveries + version,
    );
    expect(
      metricValue(gateway, 'gateway_subscription_resolutions_total', { field: 'tripUpdated' }),
    ).toBeGreaterThan(0);
    expect(
      metricValue(gateway, 'gateway_request_duration_seconds_count', { type: 'mutation' }),
    ).toBeGreaterThan(before.requests);
    expect(
      metricValue(gateway, 'gateway_subgraph_fetch_duration_seconds_count', {
        subgraph: 'trips',
        outcome: 'ok',
      }),
    ).toBeGreaterThan(before.tripsFetches);

    await until(
      'reporting',
      'trips_completed_total',
      {},
      (v) => v === before.completed + 1,
      'the completion counted',
    );
    expect(await value('trips', 'trips_by_status', { status: 'COMPLETED' })).toBe(1);
    // The archiver handled every event of the trip, and every group has caught up.
    await until(
      'archiver',
      'kafka_consumer_messages_handled_total',
      { group: group('archiver') },
      (v) => v >= before.archived + version,
      'the archiver to handle the trip',
    );
    for (const name of ['orchestrator', 'simulator', 'archiver', 'reporting', 'notifier'] as const)
      await until(
        name,
        'kafka_consumer_lag',
        { topic: kafkaNames(system.prefix).topic },
        (v) => v === 0,
        `${name} to catch up`,
      );
    expect(await value('trips', 'outbox_pending_events', { relay: 'trips' })).toBe(0);
  });

  it('should show lag and retries while a consumer cannot handle an event, and none once it can', async () => {
    // Reporting reads the driver of a finished trip from the drivers service: with drivers stopped,
    // the cancel of an accepted trip is retried and stays uncommitted.
    const requested = await trips.request({
      passengerCode: 'PX1003',
      source: places.microsoft,
      destination: places.redmond,
      type: 'NORMAL',
    });
    const offered = await trips.waitForStatus(requested.code, 'DRIVERS_NOTIFIED');
    const driver = offered.availableDrivers[0]?.code ?? '';
    expect((await trips.accept(requested.code, driver)).errors).toBeUndefined();
    await trips.waitForStatus(requested.code, ['DRIVER_ASSIGNED', 'STARTED', 'RUNNING']);
    const reporting = { group: group('trips-reporting') };
    const retriesBefore = await value('reporting', 'kafka_consumer_retries_total', reporting);
    const drivers = system.services.get('drivers');
    if (!drivers) throw new Error('drivers is not running');
    const { port } = drivers;
    await drivers.stop();
    try {
      const cancel = await system.query(
        'mutation ($code: ID!) { cancelTrip(code: $code, reason: "drivers away") { code status } }',
        { code: requested.code },
      );
      expect(cancel.errors).toBeUndefined();
      await until('reporting', 'kafka_consumer_lag', reporting, (v) => v >= 1, 'reporting to lag');
      await until(
        'reporting',
        'kafka_consumer_retries_total',
        reporting,
        (v) => v > retriesBefore,
        'reporting to retry',
      );
    } finally {
      await system.start('drivers', { PORT: String(port) });
    }
    await until('reporting', 'kafka_consumer_lag', reporting, (v) => v === 0, 'reporting to catch up');
    expect(await value('reporting', 'trips_aborted_total', { reason: 'cancelled' })).toBe(2);
  });
});

/** The samples of one metric. */
function samplesOf(parsed: ParsedMetrics, name: string) {
  return parsed.samples.filter((s) => s.name === name);
}
