import type { Context } from '@opentelemetry/api';
import { contextFromCarrier, inSpan, SpanKind, type TraceCarrier } from '@rideshare/common';
import type { SubscriptionPlan } from './operation';

/**
 * The span of one subscription update, resolution included. A live update continues the trace of
 * the event that caused it (the notifier puts the event's trace context in the Redis signal); a
 * replayed or gap-filled one, which no signal brought, continues the context the stream started in
 * (none for a graphql-ws subscribe: it is then a trace of its own, tagged live.replay).
 */
export function deliverySpan<T>(
  plan: SubscriptionPlan,
  version: number,
  signalTrace: TraceCarrier | undefined,
  streamContext: Context,
  resolve: () => Promise<T>,
): Promise<T> {
  const live = signalTrace !== undefined && Object.keys(signalTrace).length > 0;
  return inSpan(
    `deliver ${plan.live.field}`,
    {
      kind: SpanKind.CONSUMER,
      parent: live ? contextFromCarrier(signalTrace) : streamContext,
      attributes: { 'live.field': plan.live.field, 'live.version': version, 'live.replay': !live },
    },
    resolve,
  );
}
