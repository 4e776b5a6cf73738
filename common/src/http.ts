import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void;

export class BodyTooLargeError extends Error {}

/** How much of an oversized body is read and discarded, so its sender gets to read the 413. */
const DRAIN_BYTES = 32 * 1024 * 1024;

/**
 * Reads a request body as the bytes that came, refusing more than maxBytes (413) without buffering the rest. The rest is
 * read and discarded up to DRAIN_BYTES before the refusal: a client still uploading when the server
 * answers and closes gets EPIPE instead of the 413 (seen with fetch and a 5 MB body). Beyond that
 * the refusal comes at once and the connection is closed.
 */
export function readBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => new BodyTooLargeError(`request body exceeds ${maxBytes} bytes`);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      if (size > DRAIN_BYTES) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.resume();
        reject(tooLarge());
      }
    };
    const onEnd = () => (size > maxBytes ? reject(tooLarge()) : resolve(Buffer.concat(chunks)));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

async function writeApolloResponse(res: http.ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [key, value] of response.headers) headers[key] = value;
  res.writeHead(response.status ?? 200, headers);
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** A request refused before Apollo sees it: the status and the one GraphQL error answered. */
export interface Refusal {
  status: number;
  message: string;
  code: string;
}

/** Answers a request refused before any GraphQL runs: its status and the one GraphQL error. */
export function answerRefusal(
  res: http.ServerResponse,
  refusal: Refusal,
  headers: Record<string, string> = {},
): void {
  sendJson(
    res,
    refusal.status,
    { errors: [{ message: refusal.message, extensions: { code: refusal.code } }] },
    headers,
  );
}

/**
 * Looks at a request and the exact bytes of its body (empty unless POST) before anything parses them:
 * undefined lets it through, a Refusal answers instead (e.g. an identity that does not sign this body).
 */
export type Admission = (req: http.IncomingMessage, body: Buffer) => Refusal | undefined;

/**
 * Serves an Apollo Server on node:http without a web framework: the request is parsed here and handed
 * to executeHTTPGraphQLRequest, which also serves the landing page on GET.
 */
export function apolloRoute<C extends BaseContext>(
  server: ApolloServer<C>,
  context: (req: http.IncomingMessage) => Promise<C>,
  maxBodyBytes = 1_000_000,
  /** Largest batch (JSON array of operations) accepted; needs allowBatchedHttpRequests on the server. */
  maxBatchSize = 1,
  admit?: Admission,
): Route {
  return async (req, res) => {
    let bytes: Buffer = Buffer.alloc(0);
    try {
      if (req.method === 'POST') bytes = await readBody(req, maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLargeError)
        answerRefusal(
          res,
          { status: 413, code: 'PAYLOAD_TOO_LARGE', message: err.message },
          { connection: 'close' },
        );
      return;
    }
    const refusal = admit?.(req, bytes);
    if (refusal) {
      answerRefusal(res, refusal);
      return;
    }
    const raw = bytes.toString('utf8');
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown = undefined;
    if (raw !== '' && (headers.get('content-type') ?? '').includes('application/json')) {
      try {
        body = JSON.parse(raw);
      } catch {
        answerRefusal(res, { status: 400, code: 'BAD_REQUEST', message: 'request body is not valid JSON' });
        return;
      }
      if (Array.isArray(body) && body.length > maxBatchSize) {
        answerRefusal(res, {
          status: 400,
          code: 'BATCH_TOO_LARGE',
          message: `batch of ${body.length} operations exceeds the limit of ${maxBatchSize}`,
        });
        return;
      }
    }
    const url = req.url ?? '/';
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: req.method ?? 'GET',
        headers,
        search: url.includes('?') ? url.slice(url.indexOf('?')) : '',
        body,
      },
      context: () => context(req),
    });
    await writeApolloResponse(res, response);
  };
}

/** A plain HTTP server with exact-path routes; everything else is 404. */
/** Exact paths to their routes; `fallback` (e.g. a static site under a prefix) answers any other path. */
export function createHttpServer(routes: Record<string, Route>, fallback?: Route): http.Server {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = Object.hasOwn(routes, path) ? routes[path] : fallback;
    if (!route) {
      sendJson(res, 404, { error: `no route for ${path}` });
      return;
    }
    Promise.resolve(route(req, res)).catch((err: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, {
          errors: [{ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        });
      else res.destroy(err instanceof Error ? err : undefined);
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

export function listen(server: http.Server, port: number, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Stops accepting connections and closes idle keep-alive ones; in-flight requests finish. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
