import crypto from 'node:crypto';
import { GraphQLError } from 'graphql';
import { ConfigError } from './config';
import { ErrorCode } from './errors';

/** Who is calling. `service` is one of our own processes (orchestrator, reporting, trips). */
export type Role = 'passenger' | 'driver' | 'admin' | 'service';
export const ROLES: readonly Role[] = ['passenger', 'driver', 'admin', 'service'];

export interface Identity {
  role: Role;
  /** The person's code (passenger or driver code); for admins and services a name. */
  code: string;
}

/** Headers the gateway (or an internal service) uses to pass the caller's identity to a subgraph. */
export const IDENTITY_HEADER = 'x-rideshare-identity';
export const SIGNATURE_HEADER = 'x-rideshare-signature';
const MAX_AGE_MS = 5 * 60_000;

const hmac = (secret: string, value: string) =>
  crypto.createHmac('sha256', secret).update(value).digest('base64url');

/**
 * Signs an identity for a subgraph call. Subgraphs accept identities only with a valid signature made
 * with the secret they share with the gateway, so a client calling a subgraph directly cannot claim one.
 */
export function identityHeaders(
  identity: Identity,
  secret: string,
  now = Date.now(),
): Record<string, string> {
  const value = Buffer.from(JSON.stringify({ role: identity.role, code: identity.code, iat: now })).toString(
    'base64url',
  );
  return { [IDENTITY_HEADER]: value, [SIGNATURE_HEADER]: hmac(secret, value) };
}

export class IdentityError extends Error {
  override name = 'IdentityError';
}

/** Reads a signed identity; null when none was sent; throws IdentityError when one was sent but is not valid. */
export function readIdentity(
  headers: Record<string, string | string[] | undefined>,
  secret: string,
  now = Date.now(),
): Identity | null {
  const value = headers[IDENTITY_HEADER];
  const signature = headers[SIGNATURE_HEADER];
  if (value === undefined && signature === undefined) return null;
  if (typeof value !== 'string' || typeof signature !== 'string')
    throw new IdentityError('identity headers are malformed');
  const expected = Buffer.from(hmac(secret, value));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given))
    throw new IdentityError('identity signature is not valid');
  let parsed: { role?: unknown; code?: unknown; iat?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    throw new IdentityError('identity is not readable');
  }
  if (
    !ROLES.includes(parsed.role as Role) ||
    typeof parsed.code !== 'string' ||
    typeof parsed.iat !== 'number'
  )
    throw new IdentityError('identity is incomplete');
  if (Math.abs(now - parsed.iat) > MAX_AGE_MS) throw new IdentityError('identity has expired');
  return { role: parsed.role as Role, code: parsed.code };
}

export function unauthenticated(
  message = 'Authentication required: send Authorization: Bearer <token>',
): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.FORBIDDEN } });
}

/** The caller, or UNAUTHENTICATED. */
export function requireIdentity(identity: Identity | null | undefined): Identity {
  if (!identity) throw unauthenticated();
  return identity;
}

/** Admins and our own services see everything. */
export const isPrivileged = (identity: Identity) => identity.role === 'admin' || identity.role === 'service';

/** Allows privileged callers, and callers for whom `allowed` holds; FORBIDDEN otherwise. */
export function authorize(
  identity: Identity | null | undefined,
  what: string,
  allowed: (caller: Identity) => boolean = () => false,
): Identity {
  const caller = requireIdentity(identity);
  if (isPrivileged(caller) || allowed(caller)) return caller;
  throw forbidden(`${caller.role} ${caller.code} may not ${what}`);
}

/** The caller is this person. */
export const isSelf = (role: Role, code: string) => (caller: Identity) =>
  caller.role === role && caller.code === code;

const LOCAL_IDENTITY_SECRET = 'rideshare-local-identity-secret';

/**
 * The secret shared by the gateway, the subgraphs and internal callers (SUBGRAPH_IDENTITY_SECRET).
 * Local mode has a default so `npm start` just works; production refuses to start without one.
 */
export function readIdentitySecret(env: NodeJS.ProcessEnv = process.env): string {
  const secret = env.SUBGRAPH_IDENTITY_SECRET;
  if (secret) {
    if (secret.length < 16)
      throw new ConfigError('SUBGRAPH_IDENTITY_SECRET', 'must be at least 16 characters');
    return secret;
  }
  if ((env.APP_MODE ?? 'local') !== 'local')
    throw new ConfigError('SUBGRAPH_IDENTITY_SECRET', 'must be set outside local mode');
  return LOCAL_IDENTITY_SECRET;
}

/** Headers for one of our own processes calling a subgraph directly (e.g. the orchestrator). */
export function serviceHeaders(name: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return identityHeaders({ role: 'service', code: name }, readIdentitySecret(env));
}
