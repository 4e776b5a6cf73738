/**
 * Hive Gateway for comparison: @graphql-hive/gateway-runtime's createGatewayRuntime serving the same
 * supergraph file as the stock Apollo peer (schema/supergraph.graphql), with the HTTP transport
 * (@graphql-mesh/transport-http) to the subgraphs, behind a plain node:http server. Default options
 * otherwise. HIVE_PLANNER picks the query planner:
 *  - `js` (default): the runtime's own federation planner (@graphql-tools/federation);
 *  - `rust`: @graphql-hive/router-runtime's unifiedGraphHandler, the Hive Router's Rust query planner
 *    (a native addon), which then also executes the plan.
 * HIVE_DEDUPE=0 turns off the HTTP transport's deduplication of identical in-flight subgraph queries
 * (`deduplicateInflightRequests`, on by default in Hive Gateway; neither Apollo gateway has it), for a
 * like-for-like count of subgraph calls.
 * The only changes from a bare Hive Gateway, as for bench/stock-gateway.ts: subgraph URLs come from
 * DRIVERS_URL/PASSENGERS_URL/TRIPS_URL (transportEntries), it signs the same fixed identity onto every
 * subgraph call (bench/peer-identity.ts), it listens on PORT on loopback and logs one JSON `listening`
 * line for tools/stack's startService, and it runs with source-mapped stack traces off.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime, type GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import httpTransport from '@graphql-mesh/transport-http';
import { readSupergraph, subgraphs, subgraphUrl } from '@rideshare/schema';
import { peerIdentitySigner } from './peer-identity';

const planner = process.env.HIVE_PLANNER ?? 'js';
const service = planner === 'rust' ? 'hive-gateway-rust' : 'hive-gateway';
const dedupe = process.env.HIVE_DEDUPE !== '0';

/** Signs the fixed identity onto each subgraph call (a fresh signature per call, like the stock peer). */
function useIdentity(): GatewayPlugin {
  const sign = peerIdentitySigner();
  return {
    onFetch(payload) {
      const { method = 'GET', body } = payload.options;
      // The HTTP transport sends the operation as a JSON string; anything else cannot be signed here.
      if (body !== undefined && body !== null && typeof body !== 'string')
        throw new Error('subgraph request body is not a string: cannot sign it');
      const { pathname, search } = new URL(payload.url);
      const headers = sign({ method, target: pathname + search, body: body ?? '' });
      payload.setOptions({ ...payload.options, headers: { ...payload.options.headers, ...headers } });
    },
  };
}

async function main() {
  if (planner !== 'js' && planner !== 'rust') throw new Error(`HIVE_PLANNER: unknown "${planner}"`);
  // Started like our services (node --import tsx), which turns on source-mapped stack traces; a stock
  // deployment runs plain JS without them (the same treatment as bench/stock-gateway.ts).
  process.setSourceMapsEnabled(false);
  const gateway = createGatewayRuntime({
    supergraph: readSupergraph(),
    transports: { http: httpTransport },
    transportEntries: Object.fromEntries(
      subgraphs.map((s) => [
        s.name,
        {
          location: subgraphUrl(s.name),
          ...(dedupe ? {} : { options: { deduplicateInflightRequests: false } }),
        },
      ]),
    ),
    ...(planner === 'rust' ? { unifiedGraphHandler } : {}),
    plugins: () => [useIdentity()],
    logging: 'warn',
  });
  const server = http.createServer((req, res) => void gateway(req, res));
  await new Promise<void>((resolve) =>
    server.listen(Number(process.env.PORT ?? 4200), '127.0.0.1', () => resolve()),
  );
  const { port } = server.address() as AddressInfo;
  process.stderr.write(
    JSON.stringify({
      time: new Date().toISOString(),
      service,
      msg: 'listening',
      port,
      url: `http://127.0.0.1:${port}${gateway.graphqlEndpoint}`,
    }) + '\n',
  );
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => {
      void Promise.resolve(gateway[Symbol.asyncDispose]()).finally(() => process.exit(0));
    });
  });
}

main().catch((err: unknown) => {
  process.stderr.write(JSON.stringify({ service, msg: 'failed to start', error: String(err) }) + '\n');
  process.exit(1);
});
