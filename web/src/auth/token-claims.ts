export type Role = 'passenger' | 'driver' | 'admin';
const ROLES: readonly Role[] = ['passenger', 'driver', 'admin'];

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** The role `value` names, or undefined when it names none this app knows. */
export const roleOf = (value: unknown): Role | undefined => ROLES.find((r) => r === value);

export interface Session {
  token: string;
  role: Role;
  code: string;
  /** ms since the epoch */
  expiresAt: number;
}

/**
 * Who the token names, read from its payload. Only for what the page shows and where it routes:
 * the gateway verifies the token on every request and decides what it may do.
 */
export function sessionFromToken(token: string): Session {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('The sign-in answered with something that is not a JWT');
  let claims: unknown;
  try {
    claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    throw new Error("The token's payload is not base64url JSON");
  }
  if (!isRecord(claims)) throw new Error('The token has no claims');
  const { role, sub, exp } = claims;
  const knownRole = roleOf(role);
  if (!knownRole)
    throw new Error(`This app is for passengers, drivers and admins; the token says "${String(role)}"`);
  if (typeof sub !== 'string' || sub === '') throw new Error('The token names no one (claim "sub")');
  if (typeof exp !== 'number') throw new Error('The token has no expiry (claim "exp")');
  return { token, role: knownRole, code: sub, expiresAt: exp * 1000 };
}
