import { problemsOf } from '../graphql-errors';

export interface FormErrors {
  /** Server messages by the input path they name, e.g. 'input.car.year'. */
  fields: Record<string, string>;
  /** Everything else (CONFLICT, network, a field this form has no control for): shown above the form. */
  general: string[];
}

export const noErrors = (): FormErrors => ({ fields: {}, general: [] });

/** Sorts a failed mutation's errors between the form's fields (`known`) and the form as a whole. */
export function readErrors(err: unknown, known: readonly string[]): FormErrors {
  const result = noErrors();
  for (const { field, message } of problemsOf(err)) {
    if (field && known.includes(field) && !(field in result.fields)) result.fields[field] = message;
    else result.general.push(message);
  }
  return result;
}
