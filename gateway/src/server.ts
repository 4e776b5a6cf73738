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
import type { GatewayConfig } from './config';
import { createApolloGateway } from './gateway';
import { createReadinessCheck } from './readiness';

/** The gateway on node:http: /graphql (queries, mutations, Sandbox), /health/live, /health/ready. */
export async function createGatewayServer(config: GatewayConfig, log: Logger) {
  const local = config.mode === 'local';
  const gateway = createApolloGateway(config);
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
      const ready = subgraphs.every((s) => s.ok);
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', subgraphs });
    },
  });
  log.debug('gateway built', {
    supergraph: config.supergraph,
    subgraphs: config.subgraphs.map((s) => s.url),
  });
  return {
    http,
    listen: (port: number, host?: string) => listen(http, port, host),
    async close() {
      await closeServer(http);
      await apollo.stop();
    },
  };
}
