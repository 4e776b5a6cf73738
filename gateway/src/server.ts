import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import {
  apolloRoute,
  closeServer,
  createHttpServer,
  formatError,
  listen,
  sendJson,
  type Logger,
} from '@rideshare/common';
import type { GraphQLSchema } from 'graphql';
import type { GatewayConfig } from './config';
import { createApolloGateway } from './gateway';
import { createReadinessCheck } from './readiness';
import { createSubscriptions } from './subscriptions';

/**
 * The gateway on node:http: /graphql (queries, mutations and Sandbox over HTTP, subscriptions over
 * graphql-ws on the same path), /health/live, /health/ready, /metrics.
 */
export async function createGatewayServer(config: GatewayConfig, log: Logger) {
  const local = config.mode === 'local';
  const gateway = createApolloGateway(config);
  // Registered before start so the first load is seen too; subscriptions validate against it.
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate((update) => (apiSchema = update.apiSchema));
  const apollo = new ApolloServer({
    gateway,
    introspection: local,
    includeStacktraceInErrorResponses: local,
    formatError: (formatted) => formatError(formatted, local),
    plugins: [
      ApolloServerPluginUsageReportingDisabled(),
      local
        ? ApolloServerPluginLandingPageLocalDefault({
            embed: { initialState: { pollForSchemaUpdates: false } },
            includeCookies: false,
          })
        : ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();
  const readiness = createReadinessCheck(config.subgraphs);
  const http = createHttpServer({
    '/graphql': apolloRoute(apollo, async () => ({}), config.maxBodyBytes),
    '/': (_req, res) => {
      res.writeHead(302, { location: '/graphql' });
      res.end();
    },
    '/health/live': (_req, res) => sendJson(res, 200, { status: 'ok', service: 'gateway' }),
    '/health/ready': async (_req, res) => {
      const subgraphs = await readiness();
      const redis = subscriptions.ready();
      const ready = redis && subgraphs.every((s) => s.ok);
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', subgraphs, redis });
    },
    '/metrics': (_req, res) => {
      const lines = Object.entries(subscriptions.metrics()).map(
        ([name, value]) => `gateway_${name} ${value}`,
      );
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(lines.join('\n') + '\n');
    },
  });
  const subscriptions = createSubscriptions(http, apollo, () => apiSchema, config, log);
  log.debug('gateway built', {
    supergraph: config.supergraph,
    subgraphs: config.subgraphs.map((s) => s.url),
  });
  return {
    http,
    listen: (port: number, host?: string) => listen(http, port, host),
    async close() {
      await subscriptions.close(); // sockets get 1001 (going away); clients reconnect with afterVersion
      await closeServer(http);
      await apollo.stop();
    },
  };
}
