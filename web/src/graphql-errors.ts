import { ApolloError } from '@apollo/client/core';

/** One GraphQL error as a page needs it: the message, its code, and the input field it names. */
export interface FieldProblem {
  message: string;
  code?: string;
  field?: string;
}

/** The errors of a failed operation (GraphQL errors first; a network failure as one problem). */
export function problemsOf(err: unknown): FieldProblem[] {
  if (err instanceof ApolloError) {
    const problems = err.graphQLErrors.map((e) => {
      const { code, field } = e.extensions ?? {};
      return {
        message: e.message,
        ...(typeof code === 'string' ? { code } : {}),
        ...(typeof field === 'string' ? { field } : {}),
      };
    });
    if (problems.length > 0) return problems;
    // A request the gateway refuses before running it (400, 401, 429) carries its errors in the body.
    const body = err.networkError && 'result' in err.networkError ? err.networkError.result : undefined;
    const bodyErrors =
      typeof body === 'object' && body !== null && 'errors' in body ? body.errors : undefined;
    if (Array.isArray(bodyErrors) && bodyErrors.length > 0)
      return bodyErrors.map((e: unknown) => ({
        message: typeof e === 'object' && e !== null && 'message' in e ? String(e.message) : String(e),
      }));
    if (err.networkError)
      return [{ message: `The gateway could not be reached: ${err.networkError.message}` }];
  }
  return [{ message: err instanceof Error ? err.message : String(err) }];
}

export const errorMessage = (err: unknown) =>
  problemsOf(err)
    .map((p) => p.message)
    .join('; ');
