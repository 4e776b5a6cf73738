/**
 * Record-and-replay stand-in for the three subgraphs, so a benchmark can load the gateway rather than
 * the database. One process serves each subgraph on a port of its own, at POST /graphql (the path the
 * gateway signs its identity for, so the real subgraph accepts the forwarded call; GET /ports on the
 * main port names them); a request body seen before
 * is answered from memory with the recorded status, content type and body; a new one is forwarded
 * once to the real subgraph (DRIVERS_URL, PASSENGERS_URL, TRIPS_URL) with its headers, and recorded.
 * Headers are not part of the key: answers are replayed to whoever asks the same thing. GET /stats tells
 * hits and misses, so a run can check that it was served from memory.
 *
 * Both gateways send byte-identical subgraph requests for the same operation (same query planner,
 * same RemoteGraphQLDataSource body), so both get the same recorded answers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { subgraphs, subgraphUrl } from '@rideshare/schema';

interface Recorded {
  status: number;
  contentType: string;
  body: Buffer;
}

const upstream = new Map<string, string>(subgraphs.map((s) => [s.name, subgraphUrl(s.name)]));
const ports: Record<string, number> = {};
/** Promises, so concurrent first requests for the same body are forwarded only once. */
const recorded = new Map<string, Promise<Recorded>>();
let hits = 0;
let misses = 0;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}

/** Forwards a call with the caller's headers (e.g. the signed identity our subgraphs require). */
async function record(url: string, incoming: http.IncomingHttpHeaders, body: string): Promise<Recorded> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (typeof value === 'string' && !['host', 'connection', 'content-length', 'keep-alive'].includes(name))
      headers[name] = value;
  }
  const res = await fetch(url, { method: 'POST', headers, body });
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? 'application/json',
    body: Buffer.from(await res.arrayBuffer()),
  };
}

async function handle(subgraph: string | undefined, req: http.IncomingMessage, res: http.ServerResponse) {
  const path = req.url ?? '/';
  if (!subgraph && req.method === 'GET' && (path === '/stats' || path === '/ports')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(path === '/ports' ? ports : { hits, misses, entries: recorded.size }));
    return;
  }
  const url = subgraph ? upstream.get(subgraph) : undefined;
  if (!url || req.method !== 'POST' || path !== '/graphql') {
    res.writeHead(404).end();
    return;
  }
  const body = await readBody(req);
  const key = `${subgraph}\n${body}`;
  let pending = recorded.get(key);
  if (pending) hits += 1;
  else {
    misses += 1;
    pending = record(url, req.headers, body);
    recorded.set(key, pending);
    pending.catch(() => recorded.delete(key)); // a failed forward is not recorded
  }
  const answer = await pending;
  res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': answer.body.length });
  res.end(answer.body);
}

function serve(subgraph: string | undefined, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    handle(subgraph, req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

async function main() {
  const servers: http.Server[] = [];
  for (const name of upstream.keys()) {
    const server = await serve(name, 0);
    ports[name] = (server.address() as AddressInfo).port;
    servers.push(server);
  }
  const main = await serve(undefined, Number(process.env.PORT ?? 0));
  servers.push(main);
  const { port } = main.address() as AddressInfo;
  process.stderr.write(JSON.stringify({ service: 'replay-subgraphs', msg: 'listening', port }) + '\n');
  process.once('SIGTERM', () => {
    for (const s of servers) s.close();
    process.exit(0);
  });
}

void main();
