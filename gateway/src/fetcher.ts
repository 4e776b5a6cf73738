import http from 'node:http';
import https from 'node:https';
import type { Fetcher, FetcherRequestInit } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';

/**
 * A lean fetcher for subgraph calls: node:http on keep-alive sockets (no per-request TLS/TCP set-up,
 * no HTTP cache layer), with a hard per-subgraph timeout. Failures become GraphQL errors that carry
 * a stable code and the subgraph's name.
 */
export function createSubgraphFetcher(serviceName: string, timeoutMs: number): Fetcher {
  const agentOptions = { keepAlive: true, maxSockets: 256, scheduling: 'lifo' as const };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };

  return (url: string, init: FetcherRequestInit = {}) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const transport = target.protocol === 'https:' ? https : http;
      const req = transport.request(
        target,
        {
          method: init.method ?? 'POST',
          headers: init.headers,
          agent: agents[target.protocol as 'http:' | 'https:'],
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const headers = new Headers();
            for (const [key, value] of Object.entries(res.headers)) {
              if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
            }
            resolve(
              new Response(Buffer.concat(chunks), {
                status: res.statusCode ?? 502,
                statusText: res.statusMessage ?? '',
                headers,
              }),
            );
          });
        },
      );
      req.setTimeout(timeoutMs, () =>
        req.destroy(
          new GraphQLError(`Subgraph "${serviceName}" did not answer within ${timeoutMs} ms`, {
            extensions: { code: 'SUBGRAPH_TIMEOUT', serviceName },
          }),
        ),
      );
      req.on('error', (err) =>
        reject(
          err instanceof GraphQLError
            ? err
            : new GraphQLError(`Subgraph "${serviceName}" is unavailable: ${err.message}`, {
                extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName },
              }),
        ),
      );
      req.end(init.body);
    });
}
