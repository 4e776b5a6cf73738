import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** Response headers a decision adds (www-authenticate, retry-after, x-ratelimit-*). */
export type PolicyHeaders = Readonly<Record<string, string>>;

/** "Go on", with the headers the checks so far want on the answer (x-ratelimit-* on every request). */
export interface Proceed {
  readonly refused: false;
  readonly headers: PolicyHeaders;
}

/**
 * Why the policy refuses a request, connection or operation, in terms every transport translates:
 * HTTP answers `httpStatus` with `headers` and `{ errors: [{ message, extensions: { code } }] }`;
 * graphql-ws answers an `error` message with the same error, or closes a refused connection.
 */
export interface Refusal {
  readonly refused: true;
  readonly code: string;
  readonly message: string;
  readonly httpStatus: number;
  readonly headers: PolicyHeaders;
  /** Close code of a refused WebSocket connection; without one, graphql-ws's own 4403 Forbidden. */
  readonly closeCode?: number;
}

export type Verdict = Proceed | Refusal;

export const proceed = (headers: PolicyHeaders = {}): Proceed => ({ refused: false, headers });

export const refuse = (
  refusal: Omit<Refusal, 'refused' | 'headers'> & { headers?: PolicyHeaders },
): Refusal => ({
  ...refusal,
  refused: true,
  headers: refusal.headers ?? {},
});

/** The refusal as a GraphQL error: the message and code clients read, on either transport. */
export const refusalError = (refusal: Refusal) =>
  new GraphQLError(refusal.message, { extensions: { code: refusal.code } });

/** The refusal as the JSON error of an HTTP answer written without Apollo. */
export const formattedRefusal = (refusal: Refusal): GraphQLFormattedError => ({
  message: refusal.message,
  extensions: { code: refusal.code },
});
