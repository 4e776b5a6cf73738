import { computed, ref } from 'vue';

export type Role = 'passenger' | 'driver' | 'admin';
const ROLES: readonly Role[] = ['passenger', 'driver', 'admin'];

export interface Session {
  token: string;
  role: Role;
  code: string;
  /** ms since the epoch */
  expiresAt: number;
}

const STORAGE_KEY = 'rideshare.session';

/**
 * Who the token names, read from its payload. Only for what the page shows and where it routes:
 * the gateway verifies the token on every request and decides what it may do.
 */
export function sessionFromToken(token: string): Session {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('The sign-in answered with something that is not a JWT');
  const claims: unknown = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
  if (typeof claims !== 'object' || claims === null) throw new Error('The token has no claims');
  const { role, sub, exp } = claims as Record<string, unknown>;
  const knownRole = ROLES.find((r) => r === role);
  if (!knownRole)
    throw new Error(`This app is for passengers, drivers and admins; the token says "${String(role)}"`);
  if (typeof sub !== 'string' || sub === '') throw new Error('The token names no one (claim "sub")');
  if (typeof exp !== 'number') throw new Error('The token has no expiry (claim "exp")');
  return { token, role: knownRole, code: sub, expiresAt: exp * 1000 };
}

function restore(): Session | undefined {
  const stored = sessionStorage.getItem(STORAGE_KEY);
  if (!stored) return undefined;
  try {
    const session = sessionFromToken(stored);
    return session.expiresAt > Date.now() ? session : undefined;
  } catch {
    return undefined;
  }
}

// Per tab (sessionStorage): two tabs can be a passenger and a driver, and closing the tab signs out.
const current = ref<Session | undefined>(restore());

export const session = computed(() => {
  const value = current.value;
  return value && value.expiresAt > Date.now() ? value : undefined;
});

export function signInWith(token: string): Session {
  const value = sessionFromToken(token);
  sessionStorage.setItem(STORAGE_KEY, token);
  current.value = value;
  return value;
}

export function signOut(): void {
  sessionStorage.removeItem(STORAGE_KEY);
  current.value = undefined;
}

/** The page each role starts on. */
export const homeOf = (role: Role) => ({ passenger: '/trip', driver: '/driver', admin: '/dashboard' })[role];
