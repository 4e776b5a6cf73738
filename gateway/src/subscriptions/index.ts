import type http from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { GatewayContext } from '../gateway';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { errorFields, type Logger } from '@rideshare/common';
import type { GatewayConfig } from '../config';
import { createPayloadResolver, type Execute } from './payloads';
import { createRedisFeeds } from './redis-feeds';
import { createLiveFields, type LoadedGraph } from './live-fields';
import { attachSubscriptionServer, type SubscriptionServerDeps } from './ws-server';

/** Runs an operation through Apollo Server and the gateway, exactly like an HTTP query. */
function gatewayExecutor(apollo: ApolloServer<GatewayContext>, log: Logger): Execute {
  return async (query, variables, identity) => {
    try {
      const response = await apollo.executeOperation(
        { query, variables },
        { contextValue: { identity, internal: true } },
      );
      if (response.body.kind === 'single') return response.body.singleResult as ExecutionResult;
      return {
        errors: [new GraphQLError('incremental delivery is not supported for subscription payloads')],
      };
    } catch (err) {
      log.error('subscription operation failed', errorFields(err));
      throw err;
    }
  };
}

/** Subscriptions on the gateway's HTTP server: graphql-ws, Redis signals, shared federated payloads. */
export function createSubscriptions(
  http: http.Server,
  apollo: ApolloServer<GatewayContext>,
  graph: () => LoadedGraph | undefined,
  config: GatewayConfig,
  log: Logger,
  policy: SubscriptionServerDeps['policy'],
  /** REDIS_NAMESPACE's `<ns>:` (or ''), put before every channel listened on. */
  channelPrefix = '',
) {
  const execute = gatewayExecutor(apollo, log);
  const feeds = createRedisFeeds(config.redisUrl, log, channelPrefix);
  const payloads = createPayloadResolver(execute, { share: config.subscriptionDedup });
  const live = createLiveFields({ graph, execute, feeds, payloads, log });
  const server = attachSubscriptionServer(http, {
    schema: () => graph()?.apiSchema,
    execute,
    log,
    live,
    policy,
    keepAliveMs: config.wsKeepAliveMs,
    maxPayloadBytes: config.wsMaxMessageBytes,
  });
  return {
    /** Open graphql-ws connections (gateway_websocket_connections on /metrics). */
    connections: () => server.connections(),
    ready: feeds.ready,
    async close() {
      await server.close();
      await feeds.close();
    },
  };
}
