import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ConfigError } from './config';
import { ROLES, type Identity, type Role } from './identity';

export interface AuthConfig {
  /** HS256 shared secret (local use), or … */
  secret?: string;
  /** … a JWKS URL with issuer and audience (production). */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

const LOCAL_JWT_SECRET = 'rideshare-local-jwt-secret-change-me';
/** Tokens this project mints say so; a JWKS set-up names its own issuer and audience. */
export const LOCAL_ISSUER = 'rideshare-federation';
export const LOCAL_AUDIENCE = 'rideshare-api';

export function readAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const local = (env.APP_MODE ?? 'local') === 'local';
  if (env.AUTH_JWKS_URL) {
    if (!env.AUTH_ISSUER || !env.AUTH_AUDIENCE)
      throw new ConfigError('AUTH_JWKS_URL', 'needs AUTH_ISSUER and AUTH_AUDIENCE');
    try {
      new URL(env.AUTH_JWKS_URL);
    } catch {
      throw new ConfigError('AUTH_JWKS_URL', `must be a URL, got "${env.AUTH_JWKS_URL}"`);
    }
    return { jwksUrl: env.AUTH_JWKS_URL, issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE };
  }
  const secret = env.AUTH_JWT_SECRET ?? (local ? LOCAL_JWT_SECRET : undefined);
  if (!secret) throw new ConfigError('AUTH_JWT_SECRET', 'or AUTH_JWKS_URL must be set outside local mode');
  if (secret.length < 16) throw new ConfigError('AUTH_JWT_SECRET', 'must be at least 16 characters');
  return { secret, issuer: env.AUTH_ISSUER ?? LOCAL_ISSUER, audience: env.AUTH_AUDIENCE ?? LOCAL_AUDIENCE };
}

export class AuthError extends Error {
  override name = 'AuthError';
}

/** Verifies bearer tokens: signature, expiry, issuer, audience, and our claims (`role`, `sub`). */
export function createTokenVerifier(config: AuthConfig) {
  const key: Uint8Array | JWTVerifyGetKey = config.jwksUrl
    ? createRemoteJWKSet(new URL(config.jwksUrl))
    : new TextEncoder().encode(config.secret);
  return async (authorization: string | undefined): Promise<Identity> => {
    if (!authorization) throw new AuthError('Authentication required: send Authorization: Bearer <token>');
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match?.[1]) throw new AuthError('Authorization header must be "Bearer <token>"');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1], key as Uint8Array, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: config.jwksUrl ? undefined : ['HS256'],
      }));
    } catch (err) {
      const reason =
        err instanceof Error && 'code' in err ? String((err as { code: unknown }).code) : 'invalid';
      throw new AuthError(
        `Invalid token (${reason === 'ERR_JWT_EXPIRED' ? 'expired' : reason === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ? 'bad signature' : reason})`,
      );
    }
    const role = payload.role;
    if (typeof role !== 'string' || !ROLES.includes(role as Role) || role === 'service')
      throw new AuthError('Invalid token: claim "role" must be passenger, driver or admin');
    if (typeof payload.sub !== 'string' || payload.sub === '')
      throw new AuthError('Invalid token: claim "sub" (the person\'s code) is missing');
    return { role: role as Role, code: payload.sub };
  };
}

export type TokenVerifier = ReturnType<typeof createTokenVerifier>;

/** Mints an HS256 token (local use: `npm run token`, the simulator, tests). */
export async function mintToken(config: AuthConfig, identity: Identity, expiresIn = '12h'): Promise<string> {
  if (!config.secret)
    throw new Error('minting tokens needs AUTH_JWT_SECRET (a JWKS set-up mints its tokens elsewhere)');
  return new SignJWT({ role: identity.role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(identity.code)
    .setIssuer(config.issuer ?? LOCAL_ISSUER)
    .setAudience(config.audience ?? LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(config.secret));
}
