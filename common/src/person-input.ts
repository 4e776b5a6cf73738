import { generateCode } from './codes';
import { requireCode, requireName } from './validate';

// Drivers and passengers are people: created with a code and names, renamed the same way.

/**
 * A new person's identity and names from its create input: the code asked for (checked) or a fresh
 * one, as both `_id` and `code`, then the checked first and last names.
 */
export function newPersonRecord(input: { code?: string | null; firstName: string; lastName: string }) {
  const code = input.code ? requireCode('input.code', input.code) : generateCode();
  return {
    _id: code,
    code,
    firstName: requireName('input.firstName', input.firstName),
    lastName: requireName('input.lastName', input.lastName),
  };
}

export interface NameChanges {
  firstName?: string;
  lastName?: string;
}

/** The names an update input gives, checked; a name it leaves out (or null) stays as it is. */
export function nameChanges(input: { firstName?: string | null; lastName?: string | null }): NameChanges {
  const change: NameChanges = {};
  if (input.firstName != null) change.firstName = requireName('input.firstName', input.firstName);
  if (input.lastName != null) change.lastName = requireName('input.lastName', input.lastName);
  return change;
}
