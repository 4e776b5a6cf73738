import type { Role } from './session';
import { isRecord, roleOf } from './token-claims';

/** The gateway's local-mode sign-in (gateway/src/auth/local-token.ts); it does not exist in production. */
const LOCAL_TOKEN_PATH = '/auth/local-token';

export interface Person {
  role: Role;
  code: string;
  name: string;
  /** What to show beside the name: a driver's car, a passenger's e-mail. */
  detail: string;
}

async function errorOf(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { errors?: Array<{ message?: string }> };
    return body.errors?.[0]?.message ?? `the sign-in answered ${res.status}`;
  } catch {
    return `the sign-in answered ${res.status}`;
  }
}

/** Who one can sign in as here: the seeded (or any) passengers and drivers, and admin. */
export async function listPeople(): Promise<Person[]> {
  const res = await fetch(LOCAL_TOKEN_PATH);
  if (!res.ok) throw new Error(await errorOf(res));
  return readPeople(await res.json());
}

/** The listing's people, each checked: a malformed entry is named, not shown half-filled. */
export function readPeople(body: unknown): Person[] {
  const people = isRecord(body) ? body.people : undefined;
  if (!Array.isArray(people)) throw new Error('the sign-in listed no one');
  return people.map((entry: unknown, i) => {
    const role = isRecord(entry) ? roleOf(entry.role) : undefined;
    const { code, name, detail } = isRecord(entry) ? entry : {};
    if (!role || typeof code !== 'string' || typeof name !== 'string' || typeof detail !== 'string')
      throw new Error(`the sign-in listed person ${i + 1} without a known role, code, name and detail`);
    return { role, code, name, detail };
  });
}

/** A short-lived token for that person, minted by the gateway. */
export async function localToken(role: Role, code: string): Promise<string> {
  const res = await fetch(LOCAL_TOKEN_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role, code }),
  });
  if (!res.ok) throw new Error(await errorOf(res));
  const body = (await res.json()) as { token?: unknown };
  if (typeof body.token !== 'string') throw new Error('the sign-in answered without a token');
  return body.token;
}
