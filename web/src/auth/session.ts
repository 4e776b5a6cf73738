import { computed, ref } from 'vue';
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
