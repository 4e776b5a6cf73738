import type { TokenVerifier } from '@rideshare/common';
import type { GatewayConfig } from '../config';
import type { RateLimiter } from '../limits/rate-limit';
import { useAuthentication } from './authentication';
import { composePolicy, type RequestPolicy } from './compose';
import { useConnectionLimits } from './connection-limits';
import { useQueryLimits } from './query-limits';
import { useRateLimit } from './rate-limit';
import { useSafelist } from './safelist';

export type { Admitted, Connected, RequestPolicy } from './compose';
export type { Caller, Credentials, OperationText, PolicyPlugin, ResolvedOperation } from './plugin';
export { formattedRefusal, refusalError, type Refusal, type Verdict } from './refusal';
export { composePolicy } from './compose';
export { isLandingPageRequest } from './landing-page';
export { policyPlugin } from './apollo-plugin';
export {
  coerceVariables,
  validateOperation,
  type OperationRequest,
  type ValidOperation,
} from './validate-operation';

/**
 * The gateway's request policy, one for HTTP and WebSocket: who may call (bearer tokens), how often
 * (per identity, per address when anonymous), what may run (the safelist, when one is configured),
 * how big it may be (tokens, depth, aliases, directives, cost), and how many sockets and socket operations one may hold.
 */
export function createRequestPolicy(
  config: Pick<
    GatewayConfig,
    'rateLimit' | 'limits' | 'wsMaxConnectionsPerIdentity' | 'wsMaxSubscriptionsPerConnection'
  >,
  deps: { verify: TokenVerifier; rateLimit: RateLimiter; safelist?: ReadonlySet<string> },
): RequestPolicy {
  return composePolicy([
    useAuthentication(deps.verify),
    useRateLimit(deps.rateLimit, config.rateLimit),
    ...(deps.safelist ? [useSafelist(deps.safelist)] : []),
    useQueryLimits(config.limits),
    useConnectionLimits({
      maxConnectionsPerIdentity: config.wsMaxConnectionsPerIdentity,
      maxOperationsPerConnection: config.wsMaxSubscriptionsPerConnection,
    }),
  ]);
}
