import { mintToken, readAuthConfig } from '@rideshare/common';

/** The simulator's name in its token (`sub`): one principal, whichever driver it acts for. */
export const SIMULATOR_PRINCIPAL = 'SIMULATOR';
/** A restart mints a new one; this only has to outlast a long local session. */
const LOCAL_SIMULATOR_TOKEN_LIFETIME = '30d';

/**
 * The environment a service starts with, given its own credentials. The simulator gets a token for
 * role `simulator` instead of AUTH_JWT_SECRET, which could mint any token. With HS256 tokens (local
 * mode, test systems) the stack, which holds the secret anyway, mints it from the settings the gateway
 * verifies with; a SIMULATOR_TOKEN or SIMULATOR_TOKEN_FILE already set (e.g. from an identity
 * provider) is kept as it is.
 */
export async function withServiceCredentials(
  name: string,
  env: NodeJS.ProcessEnv,
): Promise<NodeJS.ProcessEnv> {
  if (name !== 'simulator') return env;
  const { AUTH_JWT_SECRET: _secret, ...withoutSecret } = env;
  if (withoutSecret.SIMULATOR_TOKEN || withoutSecret.SIMULATOR_TOKEN_FILE) return withoutSecret;
  const auth = readAuthConfig(env);
  // With an identity provider (AUTH_JWKS_URL) the token must come from there (README, Security).
  if (!auth.secret) return withoutSecret;
  const token = await mintToken(
    auth,
    { role: 'simulator', code: SIMULATOR_PRINCIPAL },
    LOCAL_SIMULATOR_TOKEN_LIFETIME,
  );
  return { ...withoutSecret, SIMULATOR_TOKEN: token };
}
