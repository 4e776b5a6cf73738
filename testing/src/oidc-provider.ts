import { startService, type RunningService } from '@rideshare/stack';

export interface OidcProvider {
  /** The issuer: the web client's WEB_OIDC_AUTHORITY and the gateway's AUTH_ISSUER. */
  issuer: string;
  /** The gateway's AUTH_JWKS_URL. */
  jwksUrl: string;
  stop(): Promise<unknown>;
}

/**
 * Starts a real OpenID Connect provider (oidc-provider/provider-main.mts) for one public client
 * whose only redirect is `redirectUri`; its JWT access tokens are for `audience`.
 */
export async function startOidcProvider(options: {
  clientId: string;
  redirectUri: string;
  audience: string;
  onLine?: (line: string) => void;
}): Promise<OidcProvider> {
  const running: RunningService = await startService(
    'oidc-provider',
    'testing/src/oidc/provider-main.mts',
    {
      ...process.env,
      OIDC_CLIENT_ID: options.clientId,
      OIDC_REDIRECT_URI: options.redirectUri,
      OIDC_AUDIENCE: options.audience,
    },
    options.onLine ?? (() => undefined),
  );
  const issuer = `http://127.0.0.1:${running.port}`;
  return { issuer, jwksUrl: `${issuer}/jwks`, stop: () => running.stop() };
}
