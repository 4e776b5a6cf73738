import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
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

/** A verified bearer token: who it names, and when it stops being valid (ms since the epoch). */
export interface VerifiedToken {
  identity: Identity;
  expiresAt: number;
}

/** Roles a token may claim: people and the simulator, never `service` (our own processes sign in otherwise). */
const TOKEN_ROLES = ROLES.filter((role) => role !== 'service');
const isTokenRole = (value: unknown): value is Exclude<Role, 'service'> =>
  typeof value === 'string' && TOKEN_ROLES.some((role) => role === value);

/** jose's reason for refusing a token, as the short words a client reads. */
function reasonOf(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (err instanceof errors.JWTClaimValidationFailed) return `claim "${err.claim}" ${err.reason}`;
  return err instanceof errors.JOSEError ? err.code : 'invalid';
}

/**
 * Verifies bearer tokens: signature, expiry, issuer, audience, and our claims (`role`, `sub`, and an
 * `exp`: a token without one would never expire, and sockets are closed when it does).
 */
export function createTokenVerifier(config: AuthConfig) {
  if (!config.jwksUrl && !config.secret) throw new Error('a token verifier needs a JWKS URL or a secret');
  const options = { issuer: config.issuer, audience: config.audience, requiredClaims: ['exp'] };
  const jwks = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : undefined;
  const secret = new TextEncoder().encode(config.secret);
  const check = (token: string) =>
    jwks ? jwtVerify(token, jwks, options) : jwtVerify(token, secret, { ...options, algorithms: ['HS256'] });
  return async (authorization: string | undefined): Promise<VerifiedToken> => {
    if (!authorization) throw new AuthError('Authentication required: send Authorization: Bearer <token>');
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match?.[1]) throw new AuthError('Authorization header must be "Bearer <token>"');
    let payload: JWTPayload;
    try {
      ({ payload } = await check(match[1]));
    } catch (err) {
      throw new AuthError(`Invalid token (${reasonOf(err)})`);
    }
    const { role, sub, exp } = payload;
    if (!isTokenRole(role))
      throw new AuthError(`Invalid token: claim "role" must be one of ${TOKEN_ROLES.join(', ')}`);
    if (typeof sub !== 'string' || sub === '')
      throw new AuthError('Invalid token: claim "sub" (the person\'s code) is missing');
    // jose has checked that `exp` is there, a number, and in the future.
    if (typeof exp !== 'number') throw new AuthError('Invalid token: claim "exp" is missing');
    return { identity: { role, code: sub }, expiresAt: exp * 1000 };
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
