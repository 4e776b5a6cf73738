import type { ExecutionResult } from 'graphql';
import type { Identity } from '@rideshare/common';
import { countResolution } from '../metrics';
import { OWN_VARIABLE, type SubscriptionPlan } from './operation';

/** Runs an operation through the gateway as the given caller. */
export type Execute = (
  query: string,
  variables: Record<string, unknown>,
  identity: Identity,
) => Promise<ExecutionResult>;

/**
 * The values of the field's `resolve` variables for one update: `$version` is the version to resolve;
 * the others come from the signal's variables, else from the subscription's arguments.
 */
export function resolveVariables(
  plan: SubscriptionPlan,
  version: number,
  signalVariables: Record<string, unknown> = {},
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const definition of plan.live.resolve.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    values[name] = name === 'version' ? version : (signalVariables[name] ?? plan.args[name]);
  }
  return values;
}

/** Codes of our subgraph fetcher (fetcher.ts) for a subgraph that did not answer. */
const UNAVAILABLE_CODES = new Set(['SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_TIMEOUT']);

/**
 * Why a resolution failed, wholly or in part, when trying again may help: a subgraph could not be
 * reached, or one failed inside (e.g. its database restarting); null when it did not, or when the
 * error is the answer (FORBIDDEN, NOT_FOUND …).
 */
export function transientFailure(result: ExecutionResult): 'unavailable' | 'internal' | null {
  const codes = (result.errors ?? []).map((e) => String(e.extensions?.code));
  if (codes.some((c) => UNAVAILABLE_CODES.has(c))) return 'unavailable';
  return codes.includes('INTERNAL_SERVER_ERROR') ? 'internal' : null;
}

/**
 * Resolves update payloads through the gateway's federated execution, once per (entity, version,
 * selection): subscribers with the same selection of the same update share the resolution, so the
 * work per event grows with the number of distinct selections, not of subscribers.
 *
 * `share: false` (GATEWAY_SUBSCRIPTION_DEDUP=off) resolves every subscriber's payload on its own:
 * the naive path, kept only so bench/subscriptions.ts can compare against it.
 */
export function createPayloadResolver(execute: Execute, { share = true, retainMs = 10_000 } = {}) {
  const shared = new Map<string, Promise<ExecutionResult>>();
  let resolutions = 0;

  const run = (plan: SubscriptionPlan, own: Record<string, unknown>) => {
    resolutions++;
    countResolution(plan.live.field, false);
    const prefixed = Object.fromEntries(Object.entries(own).map(([k, v]) => [OWN_VARIABLE + k, v]));
    return execute(plan.payloadQuery, { ...plan.payloadVariables, ...prefixed }, plan.identity);
  };

  return {
    /**
     * The update at `version` of the entity that `own` (the resolve query's variables) names. The key
     * has the version even when the query does not take it (it then reads the latest state): each
     * signalled version is resolved anew.
     */
    resolve(plan: SubscriptionPlan, version: number, own: Record<string, unknown>): Promise<ExecutionResult> {
      if (!share) return run(plan, own);
      const key = `${plan.live.field}\u0000${version}\u0000${JSON.stringify(own)}\u0000${plan.selectionKey}`;
      let pending = shared.get(key);
      if (!pending) {
        const created = run(plan, own);
        pending = created;
        shared.set(key, created);
        // Kept briefly so subscribers that reach this version a little later share it too.
        setTimeout(() => shared.delete(key), retainMs).unref();
        // A failure is not kept: whoever retries resolves anew.
        const forget = () => {
          if (shared.get(key) === created) shared.delete(key);
        };
        created.then((result) => transientFailure(result) && forget(), forget);
      } else countResolution(plan.live.field, true);
      return pending;
    },
    /** Total resolutions executed by this resolver (gateway_subscription_resolutions_total counts them on /metrics). */
    count: () => resolutions,
    size: () => shared.size,
  };
}

export type PayloadResolver = ReturnType<typeof createPayloadResolver>;
