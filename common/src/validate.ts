import { badInput } from './errors';
import { coordinateProblem, type LatLon } from './geo';

/** Input checks shared by the subgraphs; each throws BAD_USER_INPUT naming the field. */
export function requireName(field: string, value: string, max = 100): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw badInput(field, 'must not be empty');
  if (trimmed.length > max) throw badInput(field, `must be at most ${max} characters, got ${trimmed.length}`);
  return trimmed;
}

export function requireCoordinates(field: string, point: LatLon): LatLon {
  const problem = coordinateProblem(point);
  if (problem) throw badInput(field, problem);
  return { latitude: point.latitude, longitude: point.longitude };
}

export function requireLimit(
  field: string,
  value: number | null | undefined,
  fallback: number,
  max: number,
): number {
  if (value === null || value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw badInput(field, `must be a positive integer, got ${value}`);
  if (value > max) throw badInput(field, `must be at most ${max}, got ${value}`);
  return value;
}

// A pragmatic address check: one @, no spaces, a dot in the domain.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
export function requireEmail(field: string, value: string): string {
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email))
    throw badInput(field, `must be an email address, got "${value}"`);
  return email;
}

const CODE = /^[A-Za-z0-9_-]{1,40}$/;
export function requireCode(field: string, value: string): string {
  if (!CODE.test(value))
    throw badInput(field, `must be 1-40 letters, digits, "-" or "_", got "${value.slice(0, 50)}"`);
  return value;
}
