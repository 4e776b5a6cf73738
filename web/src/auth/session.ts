import { readonly, ref } from 'vue';
import { sessionFromToken, type Role, type Session } from './token-claims';

export { sessionFromToken, type Role, type Session };

const STORAGE_KEY = 'rideshare.session';

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
const current = ref<Session | undefined>();
/** Who is signed in in this tab; undefined once the token has expired (the page then goes to sign-in). */
export const session = readonly(current);

let expiry: ReturnType<typeof setTimeout> | undefined;
/** setTimeout's longest delay; a later expiry is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function hold(value: Session | undefined): void {
  clearTimeout(expiry);
  current.value = value;
  if (!value) return;
  const check = () => {
    const left = value.expiresAt - Date.now();
    if (left <= 0) return signOut();
    expiry = setTimeout(check, Math.min(left, MAX_TIMER_MS));
  };
  check();
}

hold(restore());

export function signInWith(token: string): Session {
  const value = sessionFromToken(token);
  sessionStorage.setItem(STORAGE_KEY, token);
  hold(value);
  return value;
}

export function signOut(): void {
  sessionStorage.removeItem(STORAGE_KEY);
  hold(undefined);
}

/** The page each role starts on. */
export const homeOf = (role: Role) => ({ passenger: '/trip', driver: '/driver', admin: '/dashboard' })[role];
