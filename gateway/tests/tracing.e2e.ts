/**
 * One trace per trip, read back from the stack's real Zipkin: a demo trip requested with a W3C
 * `traceparent` is followed from the gateway through every subgraph it touches, the outbox relay's
 * publish, every worker that consumes its events, and the subscription deliveries that reach the
 * subscriber, all under the request's trace id. Tracing is on only for this file's services
 * (npm test runs the rest untraced).
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import {
  fastLifecycleEnv,
  places,
  seedIfEmpty,
  startTestSystem,
  waitFor,
  type TestSystem,
} from '@rideshare/testing';
import { record, within, wsClient } from './security-helpers';

const zipkinSpan = z.object({
  traceId: z.string(),
  id: z.string(),
  parentId: z.string().optional(),
  name: z.string().default(''),
  localEndpoint: z.object({ serviceName: z.string() }).partial().default({}),
  tags: z.record(z.string(), z.string()).default({}),
});
type ZipkinSpan = z.infer<typeof zipkinSpan>;

const spansEndpoint = process.env.OTEL_EXPORTER_ZIPKIN_ENDPOINT ?? 'http://127.0.0.1:9411/api/v2/spans';

async function readTrace(traceId: string): Promise<ZipkinSpan[]> {
  const res = await fetch(new URL(`/api/v2/trace/${traceId}`, spansEndpoint));
  if (res.status === 404) return [];
  if (!res.ok) throw new Error(`Zipkin answered ${res.status} for trace ${traceId}`);
  return z.array(zipkinSpan).parse(await res.json());
}

const serviceOf = (span: ZipkinSpan) => span.localEndpoint.serviceName ?? '';

/** The services a trip's trace must reach: the request's subgraphs and every worker on its events. */
const SERVICES = [
  'gateway',
  'trips',
  'passengers',
  'drivers',
  'orchestrator',
  'simulator',
  'archiver',
  'reporting',
  'notifier',
];

const REQUEST_DEMO_TRIP = `mutation RequestDemoTrip($input: RequestTripInput!) {
  requestTrip(input: $input) { code passenger { firstName } }
}`;
const TRIP_UPDATED = `subscription ($code: ID!, $afterVersion: Int) {
  tripUpdated(code: $code, afterVersion: $afterVersion) { event version trip { status driver { firstName } } }
}`;

interface Update {
  event: string;
  version: number;
}

describe('tracing: one trace per trip in Zipkin', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem({
      ...fastLifecycleEnv,
      // Room for the simulator's accept on a busy machine: this test is about the trace, not timing.
      TRIP_ACCEPT_WINDOW_MS: '30000',
      OTEL_SDK_DISABLED: 'false',
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_EXPORTER_ZIPKIN_ENDPOINT: spansEndpoint,
      // Spans leave each process within a fifth of a second (the default batches for 5 s).
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    await seedIfEmpty(system.gatewayUrl, await system.adminAuth());
  });

  afterAll(async () => {
    await system?.stop();
  });

  it("should show a demo trip from requestTrip to TRIP_COMPLETED reaching the subscriber and the archive under the request's trace id", async () => {
    const traceId = crypto.randomBytes(16).toString('hex');
    const token = await system.token('passenger', 'PX1001');
    const res = await fetch(system.gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        traceparent: `00-${traceId}-${crypto.randomBytes(8).toString('hex')}-01`,
      },
      body: JSON.stringify({
        query: REQUEST_DEMO_TRIP,
        variables: {
          input: {
            passengerCode: 'PX1001',
            source: places.microsoft,
            destination: places.redmond,
            type: 'DEMO',
          },
        },
      }),
    });
    // The response names the trace it belongs to (W3C traceresponse), as Sandbox shows it.
    expect(res.headers.get('traceresponse')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const body = z
      .object({ data: z.object({ requestTrip: z.object({ code: z.string() }) }) })
      .parse(await res.json());
    const code = body.data.requestTrip.code;

    const client = wsClient(system.gatewayUrl, token);
    try {
      const updates = record<Update>(client, 'tripUpdated', TRIP_UPDATED, { code, afterVersion: 0 });
      await within(updates.ended, 60_000, `trip ${code} to complete`);
      const final = updates.values.at(-1)!;
      expect(final.event).toBe('TRIP_COMPLETED');

      const spans = await waitFor(
        async () => {
          const found = await readTrace(traceId);
          const missing = SERVICES.filter((s) => !found.some((span) => serviceOf(span) === s));
          const completed = found.find(
            (s) => s.tags['cloudevents.event_type'] === 'rideshare.trip.TripCompleted',
          );
          const delivered = found.some(
            (s) => s.name === 'deliver tripupdated' && s.tags['live.version'] === String(final.version),
          );
          if (missing.length > 0 || !completed || !delivered)
            throw new Error(
              `trace ${traceId} has ${found.length} spans; missing services: ${missing.join(', ') || 'none'}, ` +
                `TripCompleted publish: ${completed ? 'yes' : 'no'}, final delivery: ${delivered ? 'yes' : 'no'}`,
            );
          return found;
        },
        { timeoutMs: 30_000, intervalMs: 500, what: `the trace of trip ${code} in Zipkin` },
      );

      expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
      const byId = new Map(spans.map((s) => [s.id, s]));
      const childrenOf = (span: ZipkinSpan) => spans.filter((s) => s.parentId === span.id);

      // The operation span, and one span per subgraph fetch named after the subgraph.
      expect(spans.some((s) => serviceOf(s) === 'gateway' && s.name === 'mutation requestdemotrip')).toBe(
        true,
      );
      const fetches = spans.filter((s) => serviceOf(s) === 'gateway' && s.name.startsWith('subgraph '));
      expect(fetches.map((s) => s.name)).toEqual(
        expect.arrayContaining(['subgraph trips', 'subgraph passengers']),
      );
      for (const f of fetches) expect(f.tags['graphql.subgraph.name']).toBe(f.name.slice('subgraph '.length));

      // TripCompleted: published by the trips service under the monitor's decision, consumed as its
      // child by the archiver and the notifier, whose signal the gateway's delivery continues.
      const publish = spans.find((s) => s.tags['cloudevents.event_type'] === 'rideshare.trip.TripCompleted')!;
      expect(serviceOf(publish)).toBe('trips');
      expect(serviceOf(byId.get(publish.parentId ?? '')!)).toBe('orchestrator');
      const consumers = childrenOf(publish);
      expect(consumers.map(serviceOf)).toEqual(expect.arrayContaining(['archiver', 'notifier', 'reporting']));
      const notifier = consumers.find((s) => serviceOf(s) === 'notifier')!;
      const descendants = (span: ZipkinSpan): ZipkinSpan[] =>
        childrenOf(span).flatMap((c) => [c, ...descendants(c)]);
      const delivery = descendants(notifier).find((s) => s.name === 'deliver tripupdated');
      expect(delivery?.tags).toEqual(
        expect.objectContaining({ 'live.version': String(final.version), 'live.replay': 'false' }),
      );
      // The delivery resolved the subscriber's payload through the subgraphs.
      expect(descendants(delivery!).some((s) => s.name === 'subgraph trips')).toBe(true);

      const services = new Set(spans.map(serviceOf));
      console.log(
        `[tracing] trip ${code}: trace ${traceId}, ${spans.length} spans from ${services.size} services`,
      );
    } finally {
      await client.dispose();
    }
  }, 120_000);
});
