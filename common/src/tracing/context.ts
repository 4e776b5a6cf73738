import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { z } from 'zod';
import { parseTraceparent } from './traceparent';

/**
 * W3C trace context as stored with a write or carried in a message (`traceparent`, maybe
 * `tracestate`): what lets the relay, a consumer or the gateway continue the trace of the request that
 * caused an event. Validated where it is read back: it crossed a database, Kafka or Redis.
 */
export const traceCarrierSchema = z.record(z.string().max(64), z.string().max(512));
export type TraceCarrier = z.infer<typeof traceCarrierSchema>;

export const tracer = () => trace.getTracer('rideshare');

/**
 * Runs background work (a poll, a scan) untraced: most passes find nothing, and a trace per pass
 * would bury the traces people look for. Spans started with an explicit parent inside it (a stored
 * write's context) are still recorded: suppression is a mark on the context, not global.
 */
export function untraced<T>(fn: () => T): T {
  return context.with(suppressTracing(context.active()), fn);
}

/** The active context as a carrier; empty when nothing is traced. */
export function currentTraceCarrier(from: Context = context.active()): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(from, carrier);
  return carrier;
}

/** The context a stored or received carrier describes; the root context when there is none or it is bad. */
export function contextFromCarrier(carrier: unknown): Context {
  const parsed = traceCarrierSchema.safeParse(carrier);
  return parsed.success ? propagation.extract(ROOT_CONTEXT, parsed.data) : ROOT_CONTEXT;
}

/** The trace id of a stored or received carrier (e.g. for a link to the trace UI). */
export function traceIdOf(carrier: unknown): string | undefined {
  const parsed = traceCarrierSchema.safeParse(carrier);
  const header = parsed.success ? parsed.data.traceparent : undefined;
  return header === undefined ? undefined : parseTraceparent(header);
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Parent; the active context by default. */
  parent?: Context;
}

/** Runs `fn` in a new active span, ended when it settles (an error is recorded on it). */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(
    name,
    { kind: options.kind, attributes: options.attributes },
    parent,
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        span.recordException(err instanceof Error ? err : String(err));
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: err instanceof Error ? err.message : String(err),
        });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

interface Flushable {
  forceFlush(): Promise<void>;
}
const isFlushable = (value: unknown): value is Flushable =>
  typeof value === 'object' && value !== null && typeof Reflect.get(value, 'forceFlush') === 'function';

/** Sends the spans still buffered (before a process exits); a no-op when tracing is off. */
export async function flushTracing(): Promise<void> {
  // The API hands out a proxy; the SDK's provider, when one was registered, is its delegate.
  const global: unknown = trace.getTracerProvider();
  const getDelegate: unknown =
    typeof global === 'object' && global !== null ? Reflect.get(global, 'getDelegate') : undefined;
  const provider: unknown = typeof getDelegate === 'function' ? getDelegate.call(global) : global;
  if (isFlushable(provider)) await provider.forceFlush();
}

export { SpanKind, SpanStatusCode };
