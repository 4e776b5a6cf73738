import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { GraphQLError } from 'graphql';
import { createSubgraphFetcher } from '../src/fetcher';

interface Seen {
  method?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe('createSubgraphFetcher', () => {
  let server: http.Server;
  let url: string;
  const seen: Seen[] = [];
  let reply: (res: http.ServerResponse) => void;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString() });
        reply(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen.length = 0;
    reply = (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-test': 'yes' });
      res.end('{"data":{"__typename":"Query"}}');
    };
  });

  it('posts the body with a Content-Length and answers like a fetch Response', async () => {
    const fetcher = createSubgraphFetcher('drivers', 5_000);
    const body = JSON.stringify({ query: '{ __typename }', variables: { name: 'Zoë' } });
    const res = await fetcher(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(seen[0]?.headers['transfer-encoding']).toBeUndefined();
    expect(seen[0]?.body).toBe(body);
    expect(res.ok).toBe(true);
    expect(res.status).toBe(200);
    expect(res.url).toBe(url);
    expect(res.headers.get('Content-Type')).toBe('application/json');
    expect(res.headers.get('x-test')).toBe('yes');
    expect(res.bodyUsed).toBe(false);
    expect(await res.clone().text()).toBe('{"data":{"__typename":"Query"}}');
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
  });

  it('reuses one keep-alive connection for calls in sequence', async () => {
    const fetcher = createSubgraphFetcher('drivers', 5_000);
    const ports = new Set<number>();
    const onConnection = (socket: Socket) => ports.add(socket.remotePort ?? 0);
    server.on('connection', onConnection);
    for (let i = 0; i < 3; i++) await (await fetcher(url, { body: '{}' })).text();
    server.off('connection', onConnection);
    expect(ports.size).toBe(1);
    expect(seen).toHaveLength(3);
  });

  it('passes non-2xx answers through for the data source to turn into errors', async () => {
    reply = (res) => {
      res.writeHead(503, 'Busy', { 'content-type': 'text/plain' });
      res.end('try later');
    };
    const res = await createSubgraphFetcher('trips', 5_000)(url, { body: '{}' });
    expect(res.ok).toBe(false);
    expect(res.status).toBe(503);
    expect(res.statusText).toBe('Busy');
    expect(await res.text()).toBe('try later');
  });

  it('fails with SUBGRAPH_TIMEOUT when the subgraph does not answer in time', async () => {
    reply = () => undefined; // never answers
    const err = await createSubgraphFetcher('trips', 100)(url, { body: '{}' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphQLError);
    expect((err as GraphQLError).extensions).toEqual({ code: 'SUBGRAPH_TIMEOUT', serviceName: 'trips' });
  });

  it('fails with SUBGRAPH_UNAVAILABLE when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await createSubgraphFetcher('passengers', 1_000)(`http://127.0.0.1:${port}/graphql`, {
      body: '{}',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphQLError);
    expect((err as GraphQLError).extensions).toEqual({
      code: 'SUBGRAPH_UNAVAILABLE',
      serviceName: 'passengers',
    });
  });
});
