import type http from 'node:http';
import { sendJson, type Identity, type Route } from '@rideshare/common';
import type { GatewayConfig } from './config';
import { formattedRefusal, isLandingPageRequest, type Refusal, type RequestPolicy } from './policy';

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

/** A route that runs operations: it is handed the identity the policy admitted, and has no other. */
export type OperationRoute = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  identity: Identity,
) => Promise<void> | void;

const sendRefusal = (res: http.ServerResponse, refusal: Refusal) =>
  sendJson(res, refusal.httpStatus, { errors: [formattedRefusal(refusal)] }, { ...refusal.headers });

/**
 * Wraps /graphql: security headers, CORS, then the request policy (authentication and the
 * per-identity, or per-address when anonymous, rate limit shared through Redis) before anything
 * reaches Apollo, which applies the policy's operation checks itself (policyPlugin). A refusal is
 * answered here with its status and headers. The one request without a token is the Sandbox page,
 * when there is one (local mode): rate-limited, and sent to a route that runs no operation.
 */
export function guardGraphQLRoute(
  routes: { operations: OperationRoute; landingPage?: Route },
  deps: {
    config: Pick<GatewayConfig, 'mode' | 'corsOrigins'>;
    policy: Pick<RequestPolicy, 'admitRequest' | 'admitLandingPage'>;
  },
): Route {
  const { config, policy } = deps;
  return async (req, res) => {
    securityHeaders(res, config.mode === 'production');
    if (cors(req, res, config.corsOrigins)) return;
    if (routes.landingPage && isLandingPageRequest(req)) {
      const verdict = await policy.admitLandingPage(clientAddress(req));
      for (const [name, value] of Object.entries(verdict.headers)) res.setHeader(name, value);
      if (verdict.refused) return sendRefusal(res, verdict);
      return routes.landingPage(req, res);
    }
    const admitted = await policy.admitRequest({
      authorization: req.headers.authorization,
      address: clientAddress(req),
    });
    if (admitted.refused) return sendRefusal(res, admitted);
    for (const [name, value] of Object.entries(admitted.headers)) res.setHeader(name, value);
    return routes.operations(req, res, admitted.identity);
  };
}
