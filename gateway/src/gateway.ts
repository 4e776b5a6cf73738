import fs from 'node:fs';
import {
  ApolloGateway,
  IntrospectAndCompose,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import { identityHeaders, readIdentitySecret, type Identity } from '@rideshare/common';
import { supergraphPath } from '@rideshare/schema';
import type { GatewayConfig } from './config';
import { createSubgraphFetcher } from './fetcher';

/**
 * The Apollo gateway: the committed static supergraph by default, so what runs is what was composed
 * and checked; polling composition from live subgraphs only when GATEWAY_SUPERGRAPH=poll.
 */
export interface GatewayContext {
  identity: Identity;
  /** Operations the gateway runs itself (subscription payloads): exempt from the safelist. */
  internal?: boolean;
}

/** Passes the caller's identity to the subgraph, signed so the subgraph can trust it. */
class IdentityForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly secret: string,
    config: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0],
  ) {
    super(config);
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Schema loading and health checks carry no caller.
    if (!('incomingRequestContext' in options)) return;
    const { identity } = options.incomingRequestContext.context;
    for (const [name, value] of Object.entries(identityHeaders(identity, this.secret)))
      options.request.http?.headers.set(name, value);
  }
}

export function createApolloGateway(config: GatewayConfig): ApolloGateway {
  const byName = new Map(config.subgraphs.map((s) => [s.name, s]));
  const secret = readIdentitySecret();
  const buildService = ({ name, url }: { name: string; url?: string }) => {
    const subgraph = byName.get(name as never);
    return new IdentityForwardingDataSource(secret, {
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
