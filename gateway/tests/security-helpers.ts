/**
 * Helpers shared by the gateway's security tests (authorization, bad input, limits): raw HTTP calls
 * that keep the status and headers, hand-made tokens, graphql-ws clients and raw sockets.
 */
import { SignJWT } from 'jose';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '@rideshare/common';

/** The JWT secret of a local-mode test system (AUTH_JWT_SECRET's local default). */
export const LOCAL_JWT_SECRET = 'rideshare-local-jwt-secret-change-me';

export interface GraphQLError {
  message: string;
  path?: Array<string | number>;
  extensions?: Record<string, unknown> & { code?: string };
}

export interface HttpResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  /** The parsed JSON body (undefined when the body is not JSON). */
  body: { data?: T | null; errors?: GraphQLError[] } | undefined;
  text: string;
}

/** Any request to a GraphQL endpoint; the answer with its status, headers and (if JSON) body. */
export async function request<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpResult<T>> {
  const res = await fetch(url, { method: init.method ?? 'POST', headers: init.headers, body: init.body });
  const text = await res.text();
  let body: HttpResult<T>['body'];
  try {
    body = JSON.parse(text) as HttpResult<T>['body'];
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** POSTs one operation as JSON, as `token` (a bare JWT) when given. */
export function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
  headers: Record<string, string> = {},
): Promise<HttpResult<T>> {
  return request<T>(url, {
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
}

/** The body's errors, or a failure naming what came back instead. */
export function errorsOf(result: HttpResult<unknown>): GraphQLError[] {
  const errors = result.body?.errors;
  if (!errors?.length) throw new Error(`expected errors, got ${result.status} ${result.text.slice(0, 300)}`);
  return errors;
}

/** The body's data, or a failure quoting the errors. */
export function dataOf<T>(result: HttpResult<T>): T {
  if (result.body?.errors || !result.body?.data)
    throw new Error(`expected data, got ${result.status} ${result.text.slice(0, 500)}`);
  return result.body.data;
}

/** A token signed like the test system's own, with anything changed (claims, secret, expiry …). */
export async function craftToken(
  claims: Record<string, unknown>,
  opts: {
    secret?: string;
    sub?: string | null;
    issuer?: string;
    audience?: string;
    /** Seconds since the epoch, or a jose time span such as '1h'. */
    expiresAt?: number | string;
    alg?: string;
  } = {},
): Promise<string> {
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: opts.alg ?? 'HS256' })
    .setIssuedAt()
    .setIssuer(opts.issuer ?? LOCAL_ISSUER)
    .setAudience(opts.audience ?? LOCAL_AUDIENCE)
    .setExpirationTime(opts.expiresAt ?? '1h');
  if (opts.sub !== null) jwt = jwt.setSubject(opts.sub ?? 'PX1001');
  return jwt.sign(new TextEncoder().encode(opts.secret ?? LOCAL_JWT_SECRET));
}

export const wsUrl = (httpUrl: string) => httpUrl.replace(/^http/, 'ws');

/** Rejects with a message naming `what` unless `promise` settles within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A graphql-ws client that signs in with `token` (none: an anonymous connection_init). */
export function wsClient(gatewayUrl: string, token?: string): Client {
  return createClient({
    url: wsUrl(gatewayUrl),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
  });
}

export interface Recorded<T> {
  values: T[];
  /** Errors carried by `next` messages (field errors in a payload). */
  nextErrors: GraphQLError[];
  /** What the error sink got: an `error` message's GraphQL errors, or a close event. */
  failure: unknown;
  completed: boolean;
  /** Resolves on `complete`, rejects with the failure on `error`. */
  ended: Promise<void>;
  /** Resolves once at least `n` payloads arrived; rejects if the subscription ends first. */
  received(n: number, timeoutMs?: number): Promise<T[]>;
  /** Resolves with the failure (GraphQL errors or a close event); rejects if payloads come instead. */
  failed(timeoutMs?: number): Promise<unknown>;
  /** Resolves once the operation completed or failed. */
  settled(timeoutMs?: number): Promise<void>;
  unsubscribe(): void;
}

/** Subscribes and records what arrives under `field`. */
export function record<T>(
  client: Client,
  field: string,
  query: string,
  variables: Record<string, unknown> = {},
): Recorded<T> {
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  let settle!: { resolve: () => void; reject: (err: unknown) => void };
  const ended = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  ended.catch(() => undefined); // also observed through `failure`, `failed()` and `settled()`
  const waitUntil = (done: () => boolean, timeoutMs: number, what: string) =>
    within(
      new Promise<void>((resolve) => {
        const check = () => (done() ? resolve() : void waiters.push(check));
        check();
      }),
      timeoutMs,
      what,
    );
  const rec: Recorded<T> = {
    values: [],
    nextErrors: [],
    failure: undefined,
    completed: false,
    ended,
    async received(n, timeoutMs = 20_000) {
      await waitUntil(
        () => rec.values.length >= n || rec.failure !== undefined || rec.completed,
        timeoutMs,
        `${n} ${field} payloads`,
      );
      if (rec.values.length < n)
        throw new Error(
          `subscription ended after ${rec.values.length} of ${n} payloads: ${JSON.stringify(rec.failure ?? 'complete')}`,
        );
      return rec.values;
    },
    async failed(timeoutMs = 10_000) {
      await waitUntil(
        () => rec.failure !== undefined || rec.completed || rec.values.length > 0,
        timeoutMs,
        `${field} to fail`,
      );
      if (rec.failure === undefined)
        throw new Error(`expected ${field} to fail, got ${JSON.stringify(rec.values)}`);
      return rec.failure;
    },
    async settled(timeoutMs = 10_000) {
      await waitUntil(() => rec.failure !== undefined || rec.completed, timeoutMs, `${field} to end`);
    },
    unsubscribe: () => undefined,
  };
  rec.unsubscribe = client.subscribe<Record<string, T>>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) rec.nextErrors.push(...(result.errors as GraphQLError[]));
        rec.values.push(result.data?.[field] as T);
        wake();
      },
      error: (err) => {
        rec.failure = err;
        settle.reject(err);
        wake();
      },
      complete: () => {
        rec.completed = true;
        settle.resolve();
        wake();
      },
    },
  );
  return rec;
}

/** The code and reason of a close event (what graphql-ws hands the error sink when the socket closes). */
export function closeOf(failure: unknown): { code: number; reason: string } | undefined {
  if (failure && typeof failure === 'object' && 'code' in failure && 'reason' in failure)
    return { code: Number(failure.code), reason: String(failure.reason) };
  return undefined;
}

/** A raw socket speaking graphql-transport-ws, for messages no well-behaved client sends. */
export class RawSocket {
  readonly messages: Array<Record<string, unknown>> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.messages.push(JSON.parse(data.toString()) as Record<string, unknown>);
      this.waiters.splice(0).forEach((w) => w());
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  static async open(gatewayUrl: string): Promise<RawSocket> {
    const socket = new WebSocket(wsUrl(gatewayUrl), 'graphql-transport-ws');
    await within(
      new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      }),
      5_000,
      'the socket to open',
    );
    return new RawSocket(socket);
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Waits for a message matching `match` (checking those already received too). */
  async next(
    match: (m: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs = 10_000,
  ): Promise<Record<string, unknown>> {
    return within(
      new Promise((resolve) => {
        const check = () => {
          const found = this.messages.find(match);
          if (found) resolve(found);
          else this.waiters.push(check);
        };
        check();
      }),
      timeoutMs,
      what,
    );
  }

  /** Sends connection_init with `token` and waits for connection_ack. */
  async init(token: string): Promise<void> {
    this.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    await this.next((m) => m.type === 'connection_ack', 'connection_ack');
  }

  closedWithin(ms = 5_000) {
    return within(this.closed, ms, 'the server to close the socket');
  }

  terminate(): void {
    this.socket.terminate();
  }
}
