import type http from 'node:http';
import { sendJson, type Identity, type Route } from '@rideshare/common';
import type { GatewayConfig } from './config';
import { formattedRefusal, isLandingPageRequest, type RequestPolicy } from './policy';

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

const clientAddress = (req: http.IncomingMessage) => req.socket.remoteAddress ?? 'unknown';

/**
 * Wraps /graphql: security headers, CORS, then the request policy (authentication and the
 * per-identity, or per-address when anonymous, rate limit shared through Redis) before anything
 * reaches Apollo, which applies the policy's operation checks itself (policyPlugin). A refusal is
 * answered here with its status and headers. The caller's identity goes to the route through `identities`.
 */
export function guardGraphQLRoute(
  route: Route,
  deps: {
    config: Pick<GatewayConfig, 'mode' | 'corsOrigins'>;
    policy: Pick<RequestPolicy, 'admitRequest'>;
    identities: WeakMap<http.IncomingMessage, Identity>;
  },
): Route {
  const { config } = deps;
  return async (req, res) => {
    securityHeaders(res, config.mode === 'production');
    if (cors(req, res, config.corsOrigins)) return;
    if (isLandingPageRequest(req)) return route(req, res);
    const admitted = await deps.policy.admitRequest({
      authorization: req.headers.authorization,
      address: clientAddress(req),
    });
    if (admitted.refused) {
      sendJson(res, admitted.httpStatus, { errors: [formattedRefusal(admitted)] }, { ...admitted.headers });
      return;
    }
    for (const [name, value] of Object.entries(admitted.headers)) res.setHeader(name, value);
    deps.identities.set(req, admitted.identity);
    return route(req, res);
  };
}
