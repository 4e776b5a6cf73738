/**
 * A stock Apollo gateway for comparison: @apollo/gateway with its default RemoteGraphQLDataSource
 * (default fetcher) behind @apollo/server's startStandaloneServer, default options otherwise. The only
 * changes: subgraph URLs come from DRIVERS_URL/PASSENGERS_URL/TRIPS_URL so it runs against the same
 * subgraphs as ours; it signs one fixed identity onto subgraph calls, as our subgraphs require one
 * (see buildService); it listens on PORT on loopback, logs one JSON `listening` line for tools/stack's
 * startService, and runs with source-mapped stack traces off (see below).
 */
import fs from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { subgraphs, subgraphUrl, supergraphPath } from '@rideshare/schema';
import { peerIdentitySigner } from './peer-identity';

async function main() {
  // Started like our services (node --import tsx), which turns on source-mapped stack traces. The
  // default fetcher's agent (agent-base) reads `new Error().stack` on every subgraph request, so that
  // would charge the stock gateway for a dev-time loader; a stock deployment runs plain JS without it.
  process.setSourceMapsEnabled(false);
  const sign = peerIdentitySigner(); // the same fixed identity as the Hive peers (bench/peer-identity.ts)
  const gateway = new ApolloGateway({
    supergraphSdl: fs.readFileSync(supergraphPath, 'utf8'),
    buildService: ({ name, url }) => {
      const known = subgraphs.find((s) => s.name === name);
      const source = new RemoteGraphQLDataSource({ url: known ? subgraphUrl(known.name) : url });
      // Our subgraphs answer only calls that carry a signed identity. A stock gateway has no
      // authentication, so it passes one fixed admin identity: the least it needs to get answers. The
      // signature covers the body's bytes, which exist only once the default fetcher is called.
      const fetcher = source.fetcher;
      source.fetcher = (target, init = {}) => {
        const { pathname, search } = new URL(target);
        const request = { method: init.method ?? 'POST', target: pathname + search, body: init.body ?? '' };
        return fetcher(target, { ...init, headers: { ...init.headers, ...sign(request) } });
      };
      return source;
    },
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: Number(process.env.PORT ?? 4100), host: '127.0.0.1' },
  });
  const port = Number(new URL(url).port);
  process.stderr.write(
    JSON.stringify({
      time: new Date().toISOString(),
      service: 'stock-gateway',
      msg: 'listening',
      port,
      url,
    }) + '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(
    JSON.stringify({ service: 'stock-gateway', msg: 'failed to start', error: String(err) }) + '\n',
  );
  process.exit(1);
});
