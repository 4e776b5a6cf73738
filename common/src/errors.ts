import { GraphQLError } from 'graphql';

/** The stable `extensions.code` values clients can rely on. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export function badInput(field: string, problem: string): GraphQLError {
  return new GraphQLError(`Invalid ${field}: ${problem}`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, field },
  });
}

export function notFound(type: string, code: string): GraphQLError {
  return new GraphQLError(`${type} "${code}" was not found`, {
    extensions: { code: ErrorCode.NOT_FOUND, type, key: code },
  });
}

export function conflict(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.CONFLICT } });
}

/**
 * What FerretDB says instead of E11000 when an update (not an insert) breaks a unique index: it passes
 * the back end's own error on, with code 1.
 */
const BACKEND_DUPLICATE = [
  'UNIQUE constraint failed', // SQLite
  'SQLSTATE 23505', // PostgreSQL: unique_violation
];

/** MongoDB duplicate-key error (E11000), as raised by the driver and by FerretDB. */
export function isDuplicateKeyError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  return (
    code === 11000 || (typeof message === 'string' && BACKEND_DUPLICATE.some((m) => message.includes(m)))
  );
}
