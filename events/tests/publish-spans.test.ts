import { useInMemoryTracing } from '@rideshare/testing/src/in-memory-tracing';
import { currentTraceCarrier, inSpan, traceIdOf, tracer } from '@rideshare/common';
import { publishSpans } from '../src/publish-spans';

const exporter = useInMemoryTracing();

const written = (name: string) => inSpan(name, {}, async () => currentTraceCarrier());
const event = (key: string, trace?: Record<string, string>) => ({
  key,
  envelope: { id: `${key}:1`, type: 'rideshare.trip.TripRequested' },
  trace,
});

describe('publishSpans: one produce call, each event in its own write’s trace', () => {
  it('should make each publish span a child of its stored write and put that span in its headers', async () => {
    const [a, b] = [await written('request A'), await written('request B')];
    const spans = publishSpans('trips', [event('A', a), event('B', b), event('C')]);
    await spans.around(async () => {
      // What the kafkajs instrumentation would start around the send: suppressed, so not recorded.
      tracer().startSpan('send trips').end();
    });
    const finished = exporter.getFinishedSpans();
    const writes = new Map(finished.filter((s) => s.name.startsWith('request')).map((s) => [s.name, s]));
    const publishes = finished.filter((s) => s.name === 'publish trips');
    expect(finished.map((s) => s.name)).not.toContain('send trips');
    expect(publishes).toHaveLength(3);

    expect(traceIdOf(spans.headers[0])).toBe(writes.get('request A')?.spanContext().traceId);
    expect(traceIdOf(spans.headers[1])).toBe(writes.get('request B')?.spanContext().traceId);
    expect(traceIdOf(spans.headers[2])).toMatch(/^[0-9a-f]{32}$/); // no stored write: a trace of its own
    expect(new Set(spans.headers.map(traceIdOf)).size).toBe(3);
    for (const [i, write] of [writes.get('request A'), writes.get('request B')].entries()) {
      const publish = publishes.find(
        (p) => p.spanContext().spanId === spans.headers[i]!.traceparent!.split('-')[2],
      );
      expect(publish?.parentSpanContext?.spanId).toBe(write?.spanContext().spanId);
      expect(publish?.attributes).toMatchObject({ 'messaging.kafka.message.key': i === 0 ? 'A' : 'B' });
    }
  });

  it('should end every span as failed when the send fails, and rethrow', async () => {
    const spans = publishSpans('trips', [event('A', await written('request A'))]);
    exporter.reset();
    await expect(spans.around(() => Promise.reject(new Error('broker away')))).rejects.toThrow('broker away');
    expect(exporter.getFinishedSpans().map((s) => [s.name, s.status])).toEqual([
      ['publish trips', { code: 2, message: 'broker away' }],
    ]);
  });
});
