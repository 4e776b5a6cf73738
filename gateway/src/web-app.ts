import type http from 'node:http';
import sirv from 'sirv';
import { sendJson, type Route } from '@rideshare/common';

/** The web client's base path: same origin as /graphql, so no CORS and the socket is same-site. */
export const WEB_APP_PATH = '/app/';

/** What the built app may load and talk to: only this origin (plus an OpenID provider, if any). */
function contentSecurityPolicy(extraConnect: string[]): string {
  return [
    "default-src 'self'",
    `connect-src 'self' ${extraConnect.join(' ')}`.trim(),
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

/**
 * Serves the built app (web/dist) under /app/: hashed assets cached for a year, index.html never
 * (a new build is picked up on the next load), any other /app/ path answered with index.html so the
 * client's router handles it. Precompressed `.gz` files are sent to clients that accept gzip. `dir`
 * holds index.html: readWebClientConfig refuses a GATEWAY_WEB_DIR without it, at start.
 */
export function webAppRoute(dir: string, options: { connectTo: string[] }): Route {
  const csp = contentSecurityPolicy(options.connectTo);
  const common = {
    // Looks each file up when asked (sirv otherwise lists the folder once): a rebuild while the gateway
    // runs is served at once, and index.html never names assets this gateway cannot find.
    dev: true,
    gzip: true,
    etag: true,
    setHeaders: (res: http.ServerResponse, pathname: string) => {
      res.setHeader('content-security-policy', csp);
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('referrer-policy', 'no-referrer');
      res.setHeader(
        'cache-control',
        pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  };
  const page = sirv(dir, { ...common, single: true });
  // A missing asset is a 404, not the app's page (a script answered with HTML fails obscurely).
  const assets = sirv(dir, {
    ...common,
    onNoMatch: (req, res) => sendJson(res, 404, { error: `no such asset ${req.url}` }),
  });
  return (req, res) => {
    const url = req.url ?? '/';
    if (url === WEB_APP_PATH.slice(0, -1)) {
      res.writeHead(308, { location: WEB_APP_PATH }).end();
      return;
    }
    if (!url.startsWith(WEB_APP_PATH))
      return sendJson(res, 404, { error: `no route for ${url.split('?')[0]}` });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    // sirv serves from its root: /app/assets/x.js is assets/x.js in the build.
    req.url = url.slice(WEB_APP_PATH.length - 1);
    (req.url.startsWith('/assets/') ? assets : page)(req, res);
  };
}
