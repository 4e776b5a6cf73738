import type { ExecutionResult } from 'graphql';
import type { LiveSignal, TraceCarrier } from '@rideshare/common';
import { AsyncQueue, CLOSED } from './async-queue';
import { context } from '@opentelemetry/api';
import { deliverySpan } from './delivery-span';
import type { LiveFieldSpec } from './live-directive';
import type { SubscriptionPlan } from './operation';
import { resolveVariables, transientFailure, type PayloadResolver } from './payloads';
import type { RedisFeeds } from './redis-feeds';

/** An entity's state as a resumable field's check reads it. */
export interface EntityState {
  version: number;
  final: boolean;
}

export interface StreamDeps {
  feeds: RedisFeeds;
  payloads: PayloadResolver;
  /** The entity's current state (the field's check, as the subscriber), or null when there is none. */
  currentState(plan: SubscriptionPlan): Promise<EntityState | null>;
  /** How long an update failing inside a subgraph is tried again before it is delivered as it is. */
  internalRetryMs?: number;
}

type Stream = AsyncIterableIterator<ExecutionResult> & { return(): Promise<IteratorResult<ExecutionResult>> };

/** Whether a state (from the check or a signal) meets the field's end condition. */
export const isEnd = (live: LiveFieldSpec, state: Record<string, unknown>): boolean =>
  !!live.end && live.end.values.has(String(state[live.end.field]));

/**
 * Wraps a generator that waits on a queue so that `return()` (the client unsubscribing) takes effect
 * at once: it closes the queue, which wakes the generator, and frees the Redis subscription.
 */
function closable(
  queue: { close(): void },
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

/** `value[key]` of a result object, or null. */
const property = (value: unknown, key: string): unknown =>
  value !== null && typeof value === 'object'
    ? ((Object.getOwnPropertyDescriptor(value, key)?.value as unknown) ?? null)
    : null;

/** The subscriber's payload out of the resolve query's result; error paths name the subscriber's field. */
export function shape(plan: SubscriptionPlan, result: ExecutionResult): ExecutionResult {
  const path = plan.live.payloadPath;
  const payload = path.reduce<unknown>((value, key) => property(value, key), result.data ?? null);
  const errors = result.errors?.map((e) =>
    e.path && e.path[0] === path[0]
      ? { ...e, path: [plan.responseKey, ...e.path.slice(Math.min(path.length, e.path.length))] }
      : e,
  ) as ExecutionResult['errors'];
  return { data: { [plan.responseKey]: payload }, ...(errors ? { errors } : {}) };
}

/** Between attempts at an update while a subgraph fails: doubling, capped (a restart takes seconds). */
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5_000;
/** An internal error may be a bug rather than a restart: tried again for this long only. */
const INTERNAL_RETRY_MS = 30_000;

/** What an attempt given to `retryWhileOpen` answers when it should be tried again. */
const RETRY = Symbol('retry');

/**
 * Calls `attempt` until it answers something other than RETRY, waiting a doubling, capped delay
 * between tries. CLOSED when the subscriber left meanwhile.
 */
async function retryWhileOpen<T>(
  queue: { readonly isClosed: boolean },
  attempt: () => Promise<T | typeof RETRY>,
): Promise<T | typeof CLOSED> {
  for (let delay = RETRY_FIRST_MS; ; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
    const outcome = await attempt();
    if (outcome !== RETRY) return outcome;
    await new Promise((r) => setTimeout(r, delay));
    if (queue.isClosed) return CLOSED;
  }
}

/**
 * Resolves one version of a resumable field. While a subgraph cannot be reached (or fails inside, for
 * a while) it waits and tries again: an update without its data would be a gap the client cannot
 * see, as the next one carries the next version.
 */
function resolveAvailable(
  deps: StreamDeps,
  plan: SubscriptionPlan,
  version: number,
  queue: { readonly isClosed: boolean },
): Promise<ExecutionResult | typeof CLOSED> {
  const giveUpInternalAt = Date.now() + (deps.internalRetryMs ?? INTERNAL_RETRY_MS);
  return retryWhileOpen(queue, async () => {
    const result = await deps.payloads.resolve(plan, version, resolveVariables(plan, version));
    const failure = transientFailure(result);
    const final = !failure || (failure === 'internal' && Date.now() >= giveUpInternalAt);
    return final ? result : RETRY;
  });
}

/** Queued when the Redis subscription is back after an outage: the signals of that time are lost. */
const RECONNECTED = Symbol('reconnected');

/** The entity's state read again after a Redis outage, tried until it answers (the subgraph may be restarting too). */
function stateAfterReconnect(
  deps: StreamDeps,
  plan: SubscriptionPlan,
  queue: { readonly isClosed: boolean },
): Promise<EntityState | null | typeof CLOSED> {
  return retryWhileOpen(queue, () => deps.currentState(plan).catch((): typeof RETRY => RETRY));
}

/**
 * A resumable field: listens first, then reads the entity's version, replays what the client missed
 * after the resume argument, and goes on live. Live signals only raise the version to reach; every
 * version in between is resolved in order, so there is no gap, no duplicate, and a lost Redis message
 * is filled from the entity's history (after a Redis outage, the state is read again, as at the
 * start); an update is resolved again while a subgraph fails.
 * Completes after the version that meets the end condition.
 */
export function resumableStream(deps: StreamDeps, plan: SubscriptionPlan, channel: string): Stream {
  const queue = new AsyncQueue<LiveSignal | typeof RECONNECTED>();
  const after = plan.live.resume ? plan.args[plan.live.resume.argument] : undefined;
  const streamContext = context.active();
  // The trace of the signal that announced each version not yet delivered.
  const signalTraces = new Map<number, TraceCarrier>();
  return closable(queue, async function* (onUnsubscribe) {
    onUnsubscribe(
      await deps.feeds.subscribe(
        channel,
        (signal) => {
          if (signal.trace) signalTraces.set(signal.version, signal.trace);
          queue.push(signal);
        },
        () => queue.push(RECONNECTED),
      ),
    );
    const current = await deps.currentState(plan);
    if (!current) return;
    let delivered = typeof after === 'number' ? after : current.version;
    let target = current.version;
    let finalVersion = current.final ? current.version : Number.POSITIVE_INFINITY;
    for (;;) {
      while (delivered < target && delivered < finalVersion) {
        const version = delivered + 1;
        const trace = signalTraces.get(version);
        signalTraces.delete(version);
        const result = await deliverySpan(plan, version, trace, streamContext, () =>
          resolveAvailable(deps, plan, version, queue),
        );
        if (result === CLOSED) return;
        delivered++;
        yield shape(plan, result);
      }
      if (delivered >= finalVersion) return;
      const next = await queue.next();
      if (next === CLOSED) return;
      const state = next === RECONNECTED ? await stateAfterReconnect(deps, plan, queue) : next;
      if (state === CLOSED || state === null) return;
      const { version } = state;
      target = Math.max(target, version);
      const ends = 'final' in state ? state.final : isEnd(plan.live, state.state);
      if (ends) finalVersion = Math.min(finalVersion, version);
    }
  });
}

/** A live-only field: each signal resolved at its version, for the entity its variables name. */
export function signalStream(deps: StreamDeps, plan: SubscriptionPlan, channel: string): Stream {
  const queue = new AsyncQueue<LiveSignal>();
  const streamContext = context.active();
  return closable(queue, async function* (onUnsubscribe) {
    onUnsubscribe(await deps.feeds.subscribe(channel, (signal) => queue.push(signal)));
    for (;;) {
      const signal = await queue.next();
      if (signal === CLOSED) return;
      const own = resolveVariables(plan, signal.version, signal.variables);
      const resolve = () => deps.payloads.resolve(plan, signal.version, own);
      yield shape(plan, await deliverySpan(plan, signal.version, signal.trace, streamContext, resolve));
      if (isEnd(plan.live, signal.state)) return;
    }
  });
}
