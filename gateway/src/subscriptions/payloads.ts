import type { ExecutionResult } from 'graphql';
import type { SubscriptionPlan } from './operation';

import type { Identity } from '@rideshare/common';

/** Runs an operation through the gateway as the given caller. */
export type Execute = (
  query: string,
  variables: Record<string, unknown>,
  identity: Identity,
) => Promise<ExecutionResult>;

/**
 * Resolves update payloads through the gateway's federated execution, once per (trip, version,
 * selection): subscribers with the same selection of the same trip share the resolution, so the
 * work per event grows with the number of distinct selections, not of subscribers.
 *
 * `share: false` (GATEWAY_SUBSCRIPTION_DEDUP=off) resolves every subscriber's payload on its own:
 * the naive path, kept only so bench/subscriptions.ts can compare against it.
 */
export function createPayloadResolver(execute: Execute, { share = true, retainMs = 10_000 } = {}) {
  const shared = new Map<string, Promise<ExecutionResult>>();
  let resolutions = 0;

  return {
    resolve(plan: SubscriptionPlan, code: string, version: number): Promise<ExecutionResult> {
      if (!share) {
        resolutions++;
        return execute(
          plan.payloadQuery,
          { ...plan.payloadVariables, __code: code, __version: version },
          plan.identity,
        );
      }
      const key = `${code}\u0000${version}\u0000${plan.selectionKey}`;
      let pending = shared.get(key);
      if (!pending) {
        resolutions++;
        pending = execute(
          plan.payloadQuery,
          { ...plan.payloadVariables, __code: code, __version: version },
          plan.identity,
        );
        shared.set(key, pending);
        // Kept briefly so subscribers that reach this version a little later share it too.
        setTimeout(() => shared.delete(key), retainMs).unref();
      }
      return pending;
    },
    /** Total resolutions executed (exported as a metric; the dedup test counts them). */
    count: () => resolutions,
    size: () => shared.size,
  };
}

export type PayloadResolver = ReturnType<typeof createPayloadResolver>;
