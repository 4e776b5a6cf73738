import { ApolloError } from '@apollo/client/core';

/** One GraphQL error as a page needs it: the message, its code, and the input field it names. */
export interface FieldProblem {
  message: string;
  code?: string;
  field?: string;
}

// A value the schema's types reject (e.g. an empty year sent as null) fails variable coercion before
// any resolver runs: such errors carry no extensions.field, but name the path in the message, and the
// variable is called $input, so the path reads like the resolvers' ('input.car.year').
const COERCION_PATH = /^Variable "\$(\w+)" got invalid value .* at "([\w.]+)"/s;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

function problemOf(error: unknown): FieldProblem {
  if (!isRecord(error)) return { message: String(error) };
  const message = typeof error.message === 'string' ? error.message : 'The server refused the request';
  const extensions = isRecord(error.extensions) ? error.extensions : {};
  const field = typeof extensions.field === 'string' ? extensions.field : COERCION_PATH.exec(message)?.[2];
  return {
    message,
    ...(typeof extensions.code === 'string' ? { code: extensions.code } : {}),
    ...(field ? { field } : {}),
  };
}

/** The errors of a failed operation (GraphQL errors first; a network failure as one problem). */
export function problemsOf(err: unknown): FieldProblem[] {
  if (!(err instanceof ApolloError)) return [{ message: err instanceof Error ? err.message : String(err) }];
  if (err.graphQLErrors.length > 0) return err.graphQLErrors.map(problemOf);
  // A request the gateway refuses before running it (400, 401, 429) carries its errors in the body.
  const body = err.networkError && 'result' in err.networkError ? err.networkError.result : undefined;
  const bodyErrors = isRecord(body) && Array.isArray(body.errors) ? body.errors : [];
  if (bodyErrors.length > 0) return bodyErrors.map(problemOf);
  if (err.networkError) return [{ message: `The gateway could not be reached: ${err.networkError.message}` }];
  return [{ message: err.message }];
}

export const errorMessage = (err: unknown) =>
  problemsOf(err)
    .map((p) => p.message)
    .join('; ');
