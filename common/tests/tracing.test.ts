import { useInMemoryTracing } from '@rideshare/testing/src/in-memory-tracing';
import {
  ConfigError,
  contextFromCarrier,
  currentTraceCarrier,
  inSpan,
  readTracingConfig,
  traceIdOf,
  tracer,
  untraced,
} from '../src';
import { serviceNameOf, tracingDefaults } from '../src/tracing/sdk';

const exporter = useInMemoryTracing();

describe('trace carriers', () => {
  it('should store the active span as a W3C traceparent and continue it from the stored carrier', async () => {
    const stored = await inSpan('write', {}, async () => currentTraceCarrier());
    expect(stored.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const [write] = exporter.getFinishedSpans();
    expect(traceIdOf(stored)).toBe(write?.spanContext().traceId);

    await inSpan('consume', { parent: contextFromCarrier(stored) }, async () => undefined);
    const consume = exporter.getFinishedSpans().find((s) => s.name === 'consume');
    expect(consume?.spanContext().traceId).toBe(write?.spanContext().traceId);
    expect(consume?.parentSpanContext?.spanId).toBe(write?.spanContext().spanId);
  });

  it('should start a new trace from a carrier that is missing, malformed or not a carrier', async () => {
    for (const bad of [undefined, null, {}, { traceparent: 'not-a-traceparent' }, 'x', { traceparent: 42 }]) {
      expect(traceIdOf(bad)).toBeUndefined();
      await inSpan('orphan', { parent: contextFromCarrier(bad) }, async () => undefined);
    }
    for (const span of exporter.getFinishedSpans()) expect(span.parentSpanContext).toBeUndefined();
  });

  it('should carry nothing when no span is active', () => {
    expect(currentTraceCarrier()).toEqual({});
  });

  it('should record no span for work run untraced, but one started from a stored context inside it', async () => {
    const stored = await inSpan('write', {}, async () => currentTraceCarrier());
    exporter.reset();
    await untraced(async () => {
      await inSpan('poll', {}, async () => undefined);
      tracer().startSpan('publish', {}, contextFromCarrier(stored)).end();
    });
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['publish']);
  });

  it('should record a failure on the span and rethrow it', async () => {
    await expect(
      inSpan('failing', {}, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toEqual({ code: 2, message: 'boom' });
  });
});

describe('tracing configuration', () => {
  it('should export to Zipkin by default, over OTLP when an OTLP endpoint is set, and never override a setting', () => {
    expect(tracingDefaults({})).toMatchObject({
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    });
    expect(tracingDefaults({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).OTEL_TRACES_EXPORTER).toBe(
      'otlp',
    );
    const set = { OTEL_TRACES_EXPORTER: 'console', OTEL_SERVICE_NAME: 'x', OTEL_METRICS_EXPORTER: 'otlp' };
    expect(tracingDefaults(set)).not.toHaveProperty('OTEL_TRACES_EXPORTER');
    expect(tracingDefaults(set)).not.toHaveProperty('OTEL_SERVICE_NAME');
    expect(tracingDefaults(set)).not.toHaveProperty('OTEL_METRICS_EXPORTER');
  });

  it("should name a service after its bundle or its package's folder", () => {
    expect(serviceNameOf('/app/dist/gateway.js')).toBe('gateway');
    expect(serviceNameOf('/w/subgraphs/drivers/src/index.ts')).toBe('drivers');
    expect(serviceNameOf('/w/events/src/workers/archiver.ts')).toBe('archiver');
    expect(serviceNameOf(undefined)).toBe('rideshare');
  });

  it('should refuse a bad value naming the variable', () => {
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ OTEL_SDK_DISABLED: 'yes' }, /OTEL_SDK_DISABLED must be one of true, false, got "yes"/],
      [{ OTEL_TRACES_EXPORTER: 'zipkin,jaeger' }, /OTEL_TRACES_EXPORTER .*got "jaeger"/],
      [
        { OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'zipkin:9411' },
        /OTEL_EXPORTER_ZIPKIN_ENDPOINT must use http: or https:/,
      ],
      [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }, /OTEL_EXPORTER_OTLP_ENDPOINT must be a URL/],
    ];
    for (const [env, message] of bad) {
      expect(() => readTracingConfig(env)).toThrow(ConfigError);
      expect(() => readTracingConfig(env)).toThrow(message);
    }
    expect(readTracingConfig({ OTEL_TRACES_EXPORTER: 'otlp, console' }).exporters).toEqual([
      'otlp',
      'console',
    ]);
  });
});
