import type http from 'node:http';
import { sendJson, type Identity, type Route } from '@rideshare/common';
import type { GatewayConfig } from './config';
import type { RateLimiter } from './limits/rate-limit';
import type { TokenVerifier } from '@rideshare/common';

/** Security headers on every gateway response; HSTS only where TLS is expected (production). */
function securityHeaders(res: http.ServerResponse, production: boolean) {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-resource-policy', 'same-site');
  if (production) {
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
  }
}

/** CORS from an allowlist; answers preflights. Returns true when the request was fully handled. */
function cors(req: http.IncomingMessage, res: http.ServerResponse, allowed: string[]): boolean {
  const origin = req.headers.origin;
  if (origin && (allowed.includes('*') || allowed.includes(origin))) {
    res.setHeader('access-control-allow-origin', allowed.includes('*') ? '*' : origin);
    res.setHeader('vary', 'origin');
    res.setHeader(
      'access-control-allow-headers',
      'authorization, content-type, apollo-require-preflight, x-apollo-operation-name',
    );
    res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    res.setHeader('access-control-max-age', '600');
  }
  if (req.method === 'OPTIONS') {
    res.writeHead(origin && !res.hasHeader('access-control-allow-origin') ? 403 : 204);
    res.end();
    return true;
  }
  return false;
}

/** The Sandbox page: a browser GET asking for HTML, with no operation in the URL. */
const isLandingPage = (req: http.IncomingMessage) =>
  req.method === 'GET' &&
  (req.headers.accept ?? '').includes('text/html') &&
  !(req.url ?? '').includes('query=');

const clientAddress = (req: http.IncomingMessage) => req.socket.remoteAddress ?? 'unknown';

/**
 * Wraps /graphql: security headers, CORS, then authentication and a per-identity (per-IP when
 * anonymous) rate limit shared through Redis, before anything reaches Apollo. The caller's identity
 * is handed to the route through `identities`.
 */
export function guardGraphQLRoute(
  route: Route,
  deps: {
    config: GatewayConfig;
    verify: TokenVerifier;
    rateLimit: RateLimiter;
    identities: WeakMap<http.IncomingMessage, Identity>;
  },
): Route {
  const { config } = deps;
  return async (req, res) => {
    securityHeaders(res, config.mode === 'production');
    if (cors(req, res, config.corsOrigins)) return;
    if (isLandingPage(req)) return route(req, res);
    let identity: Identity | undefined;
    let authError: string | undefined;
    try {
      identity = await deps.verify(req.headers.authorization);
    } catch (err) {
      authError = err instanceof Error ? err.message : 'Invalid token';
    }
    const decision = identity
      ? await deps.rateLimit(`id:${identity.role}:${identity.code}`, config.rateLimit.perMinute)
      : await deps.rateLimit(`ip:${clientAddress(req)}`, config.rateLimit.anonymousPerMinute);
    res.setHeader('x-ratelimit-limit', String(decision.limit));
    res.setHeader('x-ratelimit-remaining', String(decision.remaining));
    if (!decision.allowed) {
      sendJson(
        res,
        429,
        {
          errors: [
            {
              message: `Rate limit of ${decision.limit} requests per minute exceeded; retry in ${decision.retryAfterSeconds} s`,
              extensions: { code: 'RATE_LIMITED' },
            },
          ],
        },
        { 'retry-after': String(decision.retryAfterSeconds) },
      );
      return;
    }
    if (!identity) {
      sendJson(
        res,
        401,
        {
          errors: [
            { message: authError ?? 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } },
          ],
        },
        { 'www-authenticate': 'Bearer' },
      );
      return;
    }
    deps.identities.set(req, identity);
    return route(req, res);
  };
}
