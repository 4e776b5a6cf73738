import type { TokenVerifier } from '@rideshare/common';
import type { PolicyPlugin } from './plugin';
import { refuse } from './refusal';

/**
 * Bearer tokens: the caller is whoever the token names. A missing or bad token is refused with
 * 401 UNAUTHENTICATED and the verifier's reason; the composed policy decides when (HTTP: after the
 * rate limit has counted the request, so bad tokens are limited too; WebSocket: at connection_init).
 */
export function useAuthentication(verify: TokenVerifier): PolicyPlugin {
  return {
    name: 'authentication',
    async onAuthenticate({ authorization }) {
      try {
        return await verify(authorization);
      } catch (err) {
        return refuse({
          code: 'UNAUTHENTICATED',
          message: err instanceof Error ? err.message : 'Invalid token',
          httpStatus: 401,
          headers: { 'www-authenticate': 'Bearer' },
        });
      }
    },
  };
}
