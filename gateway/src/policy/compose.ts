import type { ParseOptions, ValidationRule } from 'graphql';
import type { Identity } from '@rideshare/common';
import { sha256 } from '../limits/persisted-queries';
import type { Caller, Credentials, OperationText, PolicyPlugin, ResolvedOperation } from './plugin';
import { proceed, type PolicyHeaders, type Refusal, type Verdict } from './refusal';

/** An HTTP request let through: who it is from, and the headers its answer carries. */
export interface Admitted {
  readonly refused: false;
  readonly identity: Identity;
  readonly headers: PolicyHeaders;
}

/**
 * A WebSocket connection let through until `expiresAt` (ms since the epoch: its token's expiry);
 * `release` once it closes (it frees what it counted).
 */
export interface Connected {
  readonly refused: false;
  readonly identity: Identity;
  readonly expiresAt: number;
  readonly release: () => void;
}

/**
 * The request policy both transports apply: each entry point runs the plugins' hooks in the order
 * they were given and stops at the first refusal, keeping the headers earlier hooks asked for.
 */
export interface RequestPolicy {
  /** For Apollo's `validationRules` (HTTP) and the socket's graphql-js validation. */
  readonly validationRules: readonly ValidationRule[];
  /** For Apollo's `parseOptions` (HTTP) and the socket's graphql-js parse: the token limit. */
  readonly parseOptions: Readonly<ParseOptions>;
  /**
   * An HTTP request: authenticate, then the request hooks, then refuse an anonymous caller. The
   * request hooks see anonymous callers first so that the rate limit counts them (per address).
   */
  admitRequest(credentials: Credentials): Promise<Admitted | Refusal>;
  /**
   * The Sandbox page (local mode): it needs no token and runs no operation, but is counted by the
   * request hooks like any anonymous request (the rate limit, per address).
   */
  admitLandingPage(address: string): Promise<Verdict>;
  /** A WebSocket connection_init: authenticate (no anonymous sockets), then the connection hooks. */
  admitConnection(credentials: Credentials): Promise<Connected | Refusal>;
  /** Before an operation on a connection takes a slot; synchronous, so that slots are taken at once. */
  admitConnectionOperation(running: number): Verdict;
  /** An operation sent over a socket, by its text: the operation hooks, then the request hooks. */
  admitSocketOperation(identity: Identity, query: string): Promise<Verdict>;
  /** A client operation resolved by Apollo (HTTP), by its text. */
  admitOperation(operation: OperationText): Verdict;
  /** A client operation with its coerced variables (HTTP and WebSocket alike): the query limits. */
  admitResolvedOperation(operation: ResolvedOperation): Verdict;
}

type Hook<T> = (plugin: PolicyPlugin) => T | undefined;

/** Runs one hook of every plugin that has it, in order: the first refusal wins, with the headers before it. */
function decide(plugins: readonly PolicyPlugin[], hook: Hook<Verdict>): Verdict {
  let headers: PolicyHeaders = {};
  for (const plugin of plugins) {
    const verdict = hook(plugin);
    if (!verdict) continue;
    headers = { ...headers, ...verdict.headers };
    if (verdict.refused) return { ...verdict, headers };
  }
  return proceed(headers);
}

async function decideAsync(plugins: readonly PolicyPlugin[], hook: Hook<Promise<Verdict>>): Promise<Verdict> {
  let headers: PolicyHeaders = {};
  for (const plugin of plugins) {
    const verdict = await hook(plugin);
    if (!verdict) continue;
    headers = { ...headers, ...verdict.headers };
    if (verdict.refused) return { ...verdict, headers };
  }
  return proceed(headers);
}

export function composePolicy(plugins: readonly PolicyPlugin[]): RequestPolicy {
  const [authenticator, ...others] = plugins.filter((p) => p.onAuthenticate);
  if (!authenticator?.onAuthenticate || others.length > 0)
    throw new Error('a request policy needs exactly one plugin that authenticates (onAuthenticate)');
  const authenticate = authenticator.onAuthenticate;
  const onRequest = (caller: Caller) => decideAsync(plugins, (p) => p.onRequest?.(caller));
  const admitOperation = (operation: OperationText) => decide(plugins, (p) => p.onOperation?.(operation));

  const maxTokens = Math.min(...plugins.map((p) => p.maxTokens ?? Infinity));

  return {
    validationRules: plugins.flatMap((p) => p.validationRules ?? []),
    parseOptions: Number.isFinite(maxTokens) ? { maxTokens } : {},

    async admitRequest(credentials) {
      const who = await authenticate(credentials);
      const anonymous = 'refused' in who;
      const verdict = await onRequest(
        anonymous ? { address: credentials.address } : { identity: who.identity },
      );
      if (verdict.refused) return verdict;
      if (anonymous) return { ...who, headers: { ...verdict.headers, ...who.headers } };
      return { refused: false, identity: who.identity, headers: verdict.headers };
    },

    admitLandingPage: (address) => onRequest({ address }),

    async admitConnection(credentials) {
      const token = await authenticate(credentials);
      if ('refused' in token) return token; // the socket is closed: it never ran a request
      const { identity, expiresAt } = token;
      // No await below: a connection is counted in the same turn as it is checked.
      const counted: PolicyPlugin[] = [];
      const release = () => counted.splice(0).forEach((p) => p.onDisconnect?.(identity));
      for (const plugin of plugins) {
        const verdict = plugin.onConnect?.(identity);
        if (verdict?.refused) {
          release();
          return verdict;
        }
        if (verdict) counted.push(plugin);
      }
      return { refused: false, identity, expiresAt, release };
    },

    admitConnectionOperation: (running) => decide(plugins, (p) => p.onConnectionOperation?.(running)),

    async admitSocketOperation(identity, query) {
      // The socket's order since it had these checks: the safelist before the rate limit.
      const operation = admitOperation({ queryHash: sha256(query), internal: false });
      if (operation.refused) return operation;
      return onRequest({ identity });
    },

    admitOperation,
    admitResolvedOperation: (operation) => decide(plugins, (p) => p.onResolvedOperation?.(operation)),
  };
}
