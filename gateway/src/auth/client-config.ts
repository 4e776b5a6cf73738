import fs from 'node:fs';
import path from 'node:path';
import {
  ConfigError,
  envOptionalString,
  envString,
  envUrl,
  sendJson,
  type AuthConfig,
  type Route,
} from '@rideshare/common';

/** How the web client signs people in (served at CLIENT_CONFIG_PATH, read by web/src/auth/client-config.ts). */
export type ClientSignIn =
  | { signIn: 'local' }
  | { signIn: 'oidc'; authority: string; clientId: string; scope: string }
  | { signIn: 'none' };

export const CLIENT_CONFIG_PATH = '/auth/config';

export interface WebClientConfig {
  /** GATEWAY_WEB_DIR: the built app, served under /app/ (unset: no app on this gateway). */
  webDir?: string;
  signIn: ClientSignIn;
}

/**
 * The web client's settings. With AUTH_JWKS_URL the app signs in with OpenID Connect (authorization
 * code + PKCE) at WEB_OIDC_AUTHORITY as WEB_OIDC_CLIENT_ID; in local mode with the shared secret,
 * through the gateway's local sign-in; otherwise it has no sign-in of its own.
 */
export function readWebClientConfig(
  env: NodeJS.ProcessEnv,
  mode: 'local' | 'production',
  auth: AuthConfig,
): WebClientConfig {
  const rawDir = envOptionalString('GATEWAY_WEB_DIR', env);
  const webDir = rawDir ? path.resolve(rawDir) : undefined;
  if (webDir && !fs.existsSync(path.join(webDir, 'index.html')))
    throw new ConfigError(
      'GATEWAY_WEB_DIR',
      `must be a built web app (a folder with index.html), got "${rawDir}"`,
    );
  const authority = envOptionalString('WEB_OIDC_AUTHORITY', env);
  if (authority) {
    if (!auth.jwksUrl)
      throw new ConfigError(
        'WEB_OIDC_AUTHORITY',
        "needs AUTH_JWKS_URL: the gateway verifies the provider's tokens with it",
      );
    const clientId = envOptionalString('WEB_OIDC_CLIENT_ID', env);
    if (!clientId) throw new ConfigError('WEB_OIDC_CLIENT_ID', 'must be set with WEB_OIDC_AUTHORITY');
    const signIn: ClientSignIn = {
      signIn: 'oidc',
      authority: envUrl('WEB_OIDC_AUTHORITY', authority, ['https:', 'http:'], env),
      clientId,
      scope: envString('WEB_OIDC_SCOPE', 'openid profile', env),
    };
    return { ...(webDir ? { webDir } : {}), signIn };
  }
  const local = mode === 'local' && !!auth.secret && !auth.jwksUrl;
  return { ...(webDir ? { webDir } : {}), signIn: local ? { signIn: 'local' } : { signIn: 'none' } };
}

export function clientConfigRoute(config: WebClientConfig): Route {
  return (_req, res) => {
    res.setHeader('cache-control', 'no-cache');
    sendJson(res, 200, config.signIn);
  };
}
