import fs from 'node:fs';
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { supergraphPath } from '@rideshare/schema';
import type { GatewayConfig } from './config';
import { createSubgraphFetcher } from './fetcher';

/**
 * The Apollo gateway: the committed static supergraph by default, so what runs is what was composed
 * and checked; polling composition from live subgraphs only when GATEWAY_SUPERGRAPH=poll.
 */
export function createApolloGateway(config: GatewayConfig): ApolloGateway {
  const byName = new Map(config.subgraphs.map((s) => [s.name, s]));
  const buildService = ({ name, url }: { name: string; url?: string }) => {
    const subgraph = byName.get(name as never);
    return new RemoteGraphQLDataSource({
      url: subgraph?.url ?? url,
      fetcher: createSubgraphFetcher(name, subgraph?.timeoutMs ?? 10_000),
      honorSubgraphCacheControlHeader: false,
    });
  };
  if (config.supergraph === 'poll') {
    return new ApolloGateway({
      supergraphSdl: new IntrospectAndCompose({
        subgraphs: config.subgraphs.map(({ name, url }) => ({ name, url })),
        pollIntervalInMs: config.pollIntervalMs,
      }),
      buildService,
    });
  }
  return new ApolloGateway({ supergraphSdl: fs.readFileSync(supergraphPath, 'utf8'), buildService });
}
