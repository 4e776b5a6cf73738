import { propagation, trace, type Span } from '@opentelemetry/api';
import {
  contextFromCarrier,
  SpanKind,
  SpanStatusCode,
  tracer,
  untraced,
  type TraceCarrier,
} from '@rideshare/common';

export interface PublishSpans {
  /** Per message, the `traceparent` (and `tracestate`) of its publish span. */
  headers: TraceCarrier[];
  /** Runs the produce call and ends every span with its outcome. */
  around<T>(send: () => Promise<T>): Promise<T>;
}

/**
 * One producer span per outbox entry, a child of the context stored with the entry's write, so each
 * event continues the trace of the request or worker that caused it, although one produce call sends
 * many events of many traces. The kafkajs instrumentation would make every message a child of the
 * relay's own pass instead; the send runs with tracing suppressed so it neither adds those spans nor
 * overwrites our headers.
 */
export function publishSpans(
  topic: string,
  events: Array<{ key: string; envelope: { id: string; type: string }; trace?: TraceCarrier }>,
): PublishSpans {
  const parents = events.map(({ trace: stored }) => contextFromCarrier(stored));
  const spans: Span[] = events.map(({ key, envelope }, i) =>
    tracer().startSpan(
      `publish ${topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.destination.name': topic,
          'messaging.kafka.message.key': key,
          'messaging.message.id': envelope.id,
          'cloudevents.event_type': envelope.type,
        },
      },
      parents[i],
    ),
  );
  const headers = spans.map((span, i) => {
    const carrier: TraceCarrier = {};
    propagation.inject(trace.setSpan(parents[i]!, span), carrier);
    return carrier;
  });
  return {
    headers,
    async around(send) {
      try {
        const result = await untraced(send);
        for (const span of spans) span.end();
        return result;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        for (const span of spans) {
          span.setStatus({ code: SpanStatusCode.ERROR, message });
          span.end();
        }
        throw err;
      }
    },
  };
}
