import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import type { ClientConfig } from './client-config';

type OidcConfig = Extract<ClientConfig, { signIn: 'oidc' }>;

/** OpenID Connect, authorization code with PKCE (oidc-client-ts does both), back to /app/callback. */
function userManager(config: OidcConfig): UserManager {
  return new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    scope: config.scope,
    redirect_uri: `${location.origin}/app/callback`,
    post_logout_redirect_uri: `${location.origin}/app/`,
    response_type: 'code',
    userStore: new WebStorageStateStore({ store: sessionStorage }),
  });
}

export function startOidcSignIn(config: OidcConfig): Promise<void> {
  return userManager(config).signinRedirect();
}

/**
 * Finishes the redirect and returns the access token: the gateway verifies it against AUTH_JWKS_URL
 * and reads the same `role` and `sub` claims as a local token.
 */
export async function finishOidcSignIn(config: OidcConfig): Promise<string> {
  const user = await userManager(config).signinCallback();
  if (!user?.access_token) throw new Error('The identity provider returned no access token');
  return user.access_token;
}
