import { ApolloError } from '@apollo/client/core';

export interface FormErrors {
  /** Server messages by the input path they name, e.g. 'input.car.year'. */
  fields: Record<string, string>;
  /** Everything else (CONFLICT, network, a field this form has no control for): shown above the form. */
  general: string[];
}

export const noErrors = (): FormErrors => ({ fields: {}, general: [] });

// A value the schema's types reject (e.g. an empty year sent as null) fails variable coercion before any
// resolver runs: such errors carry no extensions.field, but name the path in the message, and the
// variable is called $input, so the path reads like the resolvers' ('input.car.year').
const COERCION_PATH = /^Variable "\$(\w+)" got invalid value .* at "([\w.]+)"/s;

function fieldOf(message: string, extensions: Record<string, unknown> | undefined): string | undefined {
  if (typeof extensions?.field === 'string') return extensions.field;
  const match = COERCION_PATH.exec(message);
  return match?.[2];
}

/** Sorts a failed mutation's errors between the form's fields (`known`) and the form as a whole. */
export function readErrors(err: unknown, known: readonly string[]): FormErrors {
  const result = noErrors();
  if (!(err instanceof ApolloError)) {
    result.general.push(err instanceof Error ? err.message : String(err));
    return result;
  }
  for (const error of err.graphQLErrors) {
    const field = fieldOf(error.message, error.extensions);
    if (field && known.includes(field) && !(field in result.fields)) result.fields[field] = error.message;
    else result.general.push(error.message);
  }
  if (err.networkError) result.general.push(`The server could not be reached: ${err.networkError.message}`);
  if (err.graphQLErrors.length === 0 && !err.networkError) result.general.push(err.message);
  return result;
}
