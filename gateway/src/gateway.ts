import fs from 'node:fs';
import {
  ApolloGateway,
  IntrospectAndCompose,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import {
  IDENTITY_HEADER,
  SIGNATURE_HEADER,
  identityClaim,
  identitySignature,
  type Identity,
} from '@rideshare/common';
import { supergraphPath } from '@rideshare/schema';
import type { GatewayConfig } from './config';
import { createSubgraphFetcher } from './fetcher';
import { timedFetcher } from './metrics';

/**
 * The Apollo gateway: the committed static supergraph by default, so what runs is what was composed
 * and checked; polling composition from live subgraphs only when GATEWAY_SUPERGRAPH=poll.
 */
export interface GatewayContext {
  identity: Identity;
  /** Operations the gateway runs itself (subscription payloads): exempt from the safelist. */
  internal?: boolean;
}

/**
 * Names the caller on each subgraph call. The signature is added by signingFetcher: this hook runs
 * before Apollo serializes the body, and the signature must cover the exact bytes that go out.
 */
class IdentityForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Schema loading and health checks carry no caller.
    if (!('incomingRequestContext' in options)) return;
    const { identity } = options.incomingRequestContext.context;
    options.request.http?.headers.set(IDENTITY_HEADER, identityClaim(identity));
  }
}

/**
 * Signs the identity claim onto the request as it is sent: method, path and body bytes. Only this
 * data source's own claims reach it (Apollo builds subgraph headers afresh; client headers are not
 * forwarded); a call without a claim goes out unsigned.
 */
export function signingFetcher(fetcher: Fetcher, secret: string): Fetcher {
  return (url, init = {}) => {
    const claim = init.headers?.[IDENTITY_HEADER];
    if (claim === undefined) return fetcher(url, init);
    const { pathname, search } = new URL(url);
    const request = { method: init.method ?? 'POST', target: pathname + search, body: init.body ?? '' };
    const signature = identitySignature(secret, claim, request);
    return fetcher(url, { ...init, headers: { ...init.headers, [SIGNATURE_HEADER]: signature } });
  };
}

export function createApolloGateway(config: GatewayConfig): ApolloGateway {
  const byName = new Map(config.subgraphs.map((s) => [s.name, s]));
  const secret = config.identitySecret;
  const buildService = ({ name, url }: { name: string; url?: string }) => {
    const subgraph = byName.get(name as never);
    return new IdentityForwardingDataSource({
      url: subgraph?.url ?? url,
      fetcher: signingFetcher(
        timedFetcher(name, createSubgraphFetcher(name, subgraph?.timeoutMs ?? 10_000)),
        secret,
      ),
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
