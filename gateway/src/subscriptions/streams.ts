import type { ExecutionResult } from 'graphql';
import type { Identity } from '@rideshare/common';
import { AsyncQueue, CLOSED } from './async-queue';
import type { SubscriptionPlan } from './operation';
import type { PayloadResolver } from './payloads';
import type { RedisFeeds, TripSignal } from './redis-feeds';

export interface TripState {
  version: number;
  final: boolean;
}

export interface StreamDeps {
  feeds: RedisFeeds;
  payloads: PayloadResolver;
  /** The trip's latest version, or null when there is no such trip. */
  currentTrip(code: string, identity: Identity): Promise<TripState | null>;
}

type Stream = AsyncIterableIterator<ExecutionResult> & { return(): Promise<IteratorResult<ExecutionResult>> };

/**
 * Wraps a generator that waits on a queue so that `return()` (the client unsubscribing) takes effect
 * at once: it closes the queue, which wakes the generator, and frees the Redis subscription.
 */
function closable(
  queue: AsyncQueue<TripSignal>,
  run: (onUnsubscribe: (fn: () => void) => void) => AsyncGenerator<ExecutionResult>,
): Stream {
  let release: (() => void) | undefined;
  let closed = false;
  const cleanup = () => {
    closed = true;
    queue.close();
    release?.();
    release = undefined;
  };
  const generator = run((fn) => {
    if (closed) fn();
    else release = fn;
  });
  return {
    async next() {
      const result = await generator.next();
      if (result.done) cleanup();
      return result;
    },
    async return() {
      cleanup();
      return generator.return(undefined);
    },
    async throw(err: unknown) {
      cleanup();
      return generator.throw(err);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function shape(plan: SubscriptionPlan, result: ExecutionResult): ExecutionResult {
  const update =
    (result.data as { tripUpdate?: { trip?: unknown } | null } | null | undefined)?.tripUpdate ?? null;
  const payload = plan.field === 'tripUpdated' ? update : (update?.trip ?? null);
  // Error paths name the subscriber's field, not the payload query's `tripUpdate` (`tripUpdate.trip`).
  const inPayload = plan.field === 'tripUpdated' ? 1 : 2;
  const errors = result.errors?.map((e) =>
    e.path?.[0] === 'tripUpdate' ? { ...e, path: [plan.responseKey, ...e.path.slice(inPayload)] } : e,
  ) as ExecutionResult['errors'];
  return { data: { [plan.responseKey]: payload }, ...(errors ? { errors } : {}) };
}

/**
 * `tripUpdated`: listens first, then reads the trip's version, replays what the client missed after
 * `afterVersion`, and goes on live. Live signals only raise the version to reach; every version in
 * between is resolved in order, so there is no gap, no duplicate, and a lost Redis message is filled
 * from the event log. Completes after the trip's final event.
 */
export function tripUpdatesStream(
  deps: StreamDeps,
  plan: SubscriptionPlan,
  code: string,
  afterVersion: number | null,
): Stream {
  const queue = new AsyncQueue<TripSignal>();
  return closable(queue, async function* (onUnsubscribe) {
    onUnsubscribe(await deps.feeds.subscribeTrip(code, (signal) => queue.push(signal)));
    const current = await deps.currentTrip(code, plan.identity);
    if (!current) return;
    let delivered = afterVersion ?? current.version;
    let target = current.version;
    let finalVersion = current.final ? current.version : Number.POSITIVE_INFINITY;
    for (;;) {
      while (delivered < target && delivered < finalVersion) {
        delivered++;
        yield shape(plan, await deps.payloads.resolve(plan, code, delivered));
      }
      if (delivered >= finalVersion) return;
      const signal = await queue.next();
      if (signal === CLOSED) return;
      target = Math.max(target, signal.version);
      if (signal.final) finalVersion = Math.min(finalVersion, signal.version);
    }
  });
}

/** `tripOffers`: each trip offered to the driver, resolved at the version that offered it. */
export function tripOffersStream(deps: StreamDeps, plan: SubscriptionPlan, driverCode: string): Stream {
  const queue = new AsyncQueue<TripSignal>();
  return closable(queue, async function* (onUnsubscribe) {
    onUnsubscribe(await deps.feeds.subscribeOffers(driverCode, (signal) => queue.push(signal)));
    for (;;) {
      const signal = await queue.next();
      if (signal === CLOSED) return;
      yield shape(plan, await deps.payloads.resolve(plan, signal.code, signal.version));
    }
  });
}
