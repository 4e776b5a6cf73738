import crypto from 'node:crypto';
import { GraphQLError } from 'graphql';
import { z } from 'zod';
import { ConfigError, envInt } from './config';
import { ErrorCode } from './errors';

/**
 * Who is calling. `service` is one of our own processes (orchestrator, reporting, trips); `simulator`
 * is the demo driver simulator, a principal with only the rights to drive DEMO trips.
 */
export const ROLES = ['passenger', 'driver', 'admin', 'service', 'simulator'] as const;
export type Role = (typeof ROLES)[number];

export interface Identity {
  role: Role;
  /** The person's code (passenger or driver code); for admins, services and the simulator a name. */
  code: string;
}

/** Headers the gateway (or an internal service) uses to pass the caller's identity to a subgraph. */
export const IDENTITY_HEADER = 'x-rideshare-identity';
export const SIGNATURE_HEADER = 'x-rideshare-signature';
/** Clocks of gateway and subgraph hosts may differ a little; an identity from further ahead is refused. */
const CLOCK_SKEW_MS = 5_000;
const SIGNATURE_VERSION = 'rideshare-identity-v2';

/** The request a signature is bound to, exactly as the subgraph receives it. */
export interface SignedRequest {
  /** The HTTP method, e.g. `POST`. */
  method: string;
  /** Path and query as on the request line, e.g. `/graphql`. */
  target: string;
  /** The exact body bytes (a string stands for its UTF-8 bytes); empty when there is none. */
  body: string | Uint8Array;
}

/** Computes identity headers for one request from what it sends. */
export type RequestSigner = (request: SignedRequest) => Record<string, string>;

/** What the subgraph checks: the secret it shares with the signers and how long a signature lives. */
export interface IdentityCheck {
  secret: string;
  maxAgeMs: number;
}

const claimSchema = z.object({ role: z.enum(ROLES), code: z.string().min(1), iat: z.number().int() });

/** The identity header's value: who, and when it was issued (base64url JSON). Not secret, not proof. */
export function identityClaim(identity: Identity, now = Date.now()): string {
  return Buffer.from(JSON.stringify({ role: identity.role, code: identity.code, iat: now })).toString(
    'base64url',
  );
}

/**
 * The signature header's value: HMAC-SHA256 over the claim and the request it travels with (method,
 * target, SHA-256 of the body), as one JSON array so no two inputs give the same material.
 */
export function identitySignature(secret: string, claim: string, request: SignedRequest): string {
  const bodyDigest = crypto.createHash('sha256').update(request.body).digest('base64url');
  const material = JSON.stringify([SIGNATURE_VERSION, request.method, request.target, bodyDigest, claim]);
  return crypto.createHmac('sha256', secret).update(material).digest('base64url');
}

/**
 * Signs an identity for one subgraph call. Subgraphs accept identities only with a valid signature made
 * with the secret they share with the gateway and only for the request it was made for, so a client
 * calling a subgraph directly cannot claim one, and a captured pair cannot carry another operation.
 */
export function identityHeaders(
  identity: Identity,
  secret: string,
  request: SignedRequest,
  now = Date.now(),
): Record<string, string> {
  const claim = identityClaim(identity, now);
  return { [IDENTITY_HEADER]: claim, [SIGNATURE_HEADER]: identitySignature(secret, claim, request) };
}

/** Signs every request as `identity`, each with its own issue time. */
export function identitySigner(identity: Identity, secret: string): RequestSigner {
  return (request) => identityHeaders(identity, secret, request);
}

export class IdentityError extends Error {
  override name = 'IdentityError';
}

/**
 * Reads the signed identity of the request the subgraph received: null when none was sent; throws
 * IdentityError when one was sent but its signature does not match this request, or it is outside its
 * lifetime (older than `maxAgeMs`, or issued in the future).
 */
export function readIdentity(
  headers: Record<string, string | string[] | undefined>,
  request: SignedRequest,
  check: IdentityCheck,
  now = Date.now(),
): Identity | null {
  const claim = headers[IDENTITY_HEADER];
  const signature = headers[SIGNATURE_HEADER];
  if (claim === undefined && signature === undefined) return null;
  if (typeof claim !== 'string' || typeof signature !== 'string')
    throw new IdentityError('identity headers are malformed');
  const expected = Buffer.from(identitySignature(check.secret, claim, request));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given))
    throw new IdentityError(
      'identity signature is not valid for this request (it covers method, path and body)',
    );
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(claim, 'base64url').toString('utf8'));
  } catch {
    throw new IdentityError('identity is not readable');
  }
  const parsed = claimSchema.safeParse(json);
  if (!parsed.success) throw new IdentityError('identity is incomplete');
  const { role, code, iat } = parsed.data;
  if (iat > now + CLOCK_SKEW_MS) throw new IdentityError('identity is issued in the future');
  if (now - iat > check.maxAgeMs)
    throw new IdentityError(`identity has expired (it lives ${check.maxAgeMs / 1000} s)`);
  return { role, code };
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

/** The demo simulator: no privileges; the subgraphs grant it its few rights by name. */
export const isSimulator = (caller: Identity) => caller.role === 'simulator';

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

/**
 * What a subgraph verifies identities with. The lifetime (SUBGRAPH_IDENTITY_MAX_AGE_MS, 30 s) only has
 * to cover one hop's clock difference and latency: every call is signed when it is sent.
 */
export function readIdentityCheck(env: NodeJS.ProcessEnv = process.env): IdentityCheck {
  return {
    secret: readIdentitySecret(env),
    maxAgeMs: envInt('SUBGRAPH_IDENTITY_MAX_AGE_MS', 30_000, { min: 1_000, max: 300_000 }, env),
  };
}

/** Signs the calls of one of our own processes to a subgraph (e.g. trips asking passengers). */
export function serviceSigner(name: string, env: NodeJS.ProcessEnv = process.env): RequestSigner {
  return identitySigner({ role: 'service', code: name }, readIdentitySecret(env));
}
