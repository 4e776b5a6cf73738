import Redis from 'ioredis';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { GraphQLError, OperationTypeNode, type GraphQLFormattedError } from 'graphql';
import {
  apolloRoute,
  closeServer,
  createHttpServer,
  formatError,
  listen,
  metricsRoute,
  sendJson,
  type Logger,
} from '@rideshare/common';
import { createTokenVerifier, mintToken, operationSpanPlugin } from '@rideshare/common';
import { clientConfigRoute, CLIENT_CONFIG_PATH } from './auth/client-config';
import { localAuthRoutes } from './auth/local-token';
import { signInPeople } from './auth/sign-in-people';
import type { GatewayConfig } from './config';
import { createApolloGateway, type GatewayContext } from './gateway';
import { guardGraphQLRoute, type OperationRoute } from './http-guard';
import { RedisQueryCache, readSafelist } from './limits/persisted-queries';
import { createRateLimiter } from './limits/rate-limit';
import { createRequestPolicy, policyPlugin } from './policy';
import { requestMetricsPlugin, watchWebSocketConnections } from './metrics';
import { createReadinessCheck } from './readiness';
import { createSubscriptions } from './subscriptions';
import type { LoadedGraph } from './subscriptions/live-fields';
import { WEB_APP_PATH, webAppRoute } from './web-app';

/** Sandbox opens with an admin token already set (local mode only: the gateway holds the secret). */
async function landingPagePlugin(config: GatewayConfig): Promise<ApolloServerPlugin<GatewayContext>> {
  if (config.mode !== 'local') return ApolloServerPluginLandingPageDisabled();
  const token = config.auth.secret
    ? await mintToken(config.auth, { role: 'admin', code: 'SANDBOX' })
    : undefined;
  return ApolloServerPluginLandingPageLocalDefault({
    embed: {
      initialState: {
        pollForSchemaUpdates: false,
        ...(token ? { sharedHeaders: { Authorization: `Bearer ${token}` } } : {}),
      },
    },
    includeCookies: false,
  });
}

/**
 * Apollo answers some client mistakes (an APQ hash that does not match its query, an unknown APQ
 * version) with a 400 but no code, which reads as an internal error, and production would mask it.
 */
function codeClientErrors(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const http =
    error instanceof GraphQLError ? (error.extensions.http as { status?: number } | undefined) : undefined;
  const status = http?.status ?? 500;
  if (formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR' || status >= 500) return formatted;
  return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_REQUEST' } };
}

/**
 * A document without the operation asked for, or a subscription sent over HTTP, is the client's
 * mistake: 400 saying so (the gateway's executor would throw either as a 500).
 */
const operationChecks: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, request }) {
        const badRequest = (message: string) =>
          new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
        if (!operation)
          throw badRequest(
            request.operationName
              ? `Unknown operation named "${request.operationName}"`
              : 'The document has several operations: send operationName to say which one to run',
          );
        if (operation.operation === OperationTypeNode.SUBSCRIPTION)
          throw badRequest(
            'Subscriptions are served over WebSocket (graphql-ws) on this path, not over HTTP',
          );
      },
    };
  },
};

/**
 * The gateway on node:http: /graphql (queries, mutations and Sandbox over HTTP, subscriptions over
 * graphql-ws on the same path), /health/live, /health/ready, /metrics, and in local mode the web
 * client's sign-in (/auth/local-token).
 */
export async function createGatewayServer(config: GatewayConfig, log: Logger) {
  const { redisPrefix } = config;
  const local = config.mode === 'local';
  const gateway = createApolloGateway(config);
  // Registered before start so the first load is seen too; subscriptions validate against it.
  let graph: LoadedGraph | undefined;
  gateway.onSchemaLoadOrUpdate(
    (update) => (graph = { apiSchema: update.apiSchema, supergraphSdl: update.coreSupergraphSdl }),
  );
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', (err) => log.warn('redis error', { error: err.message }));
  // One policy for both transports: the guard and Apollo apply it over HTTP, ws-server over graphql-ws.
  const policy = createRequestPolicy(config, {
    verify: createTokenVerifier(config.auth),
    rateLimit: createRateLimiter(redis, log, { prefix: redisPrefix }),
    ...(config.safelistFile ? { safelist: readSafelist(config.safelistFile) } : {}),
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: local,
    includeStacktraceInErrorResponses: local,
    formatError: (formatted, error) => formatError(codeClientErrors(formatted, error), local),
    validationRules: [...policy.validationRules],
    parseOptions: policy.parseOptions,
    allowBatchedHttpRequests: true,
    // The process's own shutdown (handleShutdown) stops Apollo in order; Apollo's handler would stop it
    // on its own and re-send the signal, racing ours (a Ctrl-C then took the 15 s shutdown timeout).
    stopOnTerminationSignals: false,
    persistedQueries: config.apq ? { cache: new RedisQueryCache(redis, `${redisPrefix}apq:`) } : false,
    plugins: [
      requestMetricsPlugin,
      ApolloServerPluginUsageReportingDisabled(),
      operationChecks,
      operationSpanPlugin(),
      await landingPagePlugin(config),
      policyPlugin(policy),
    ],
  });
  await apollo.start();
  const route = (context: () => Promise<GatewayContext>) =>
    apolloRoute(apollo, context, config.maxBodyBytes, config.limits.maxBatchSize);
  // Operations run only as the identity the guard admitted: there is no default one.
  const operations: OperationRoute = (req, res, identity) => route(async () => ({ identity }))(req, res);
  // Apollo answers the landing page before it makes a context; should it ever go further for such a
  // request, the context fails and nothing runs.
  const landingPage = route(async () => {
    throw new GraphQLError('Authentication required: send Authorization: Bearer <token>', {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
    });
  });
  const readiness = createReadinessCheck(config.subgraphs);
  const { webDir, signIn } = config.web;
  const oidcOrigin = signIn.signIn === 'oidc' ? [new URL(signIn.authority).origin] : [];
  const webApp = webDir ? webAppRoute(webDir, { connectTo: oidcOrigin }) : undefined;
  const http = createHttpServer(
    {
      '/graphql': guardGraphQLRoute({ operations, ...(local ? { landingPage } : {}) }, { config, policy }),
      ...localAuthRoutes(config, () => signInPeople(apollo)),
      [CLIENT_CONFIG_PATH]: clientConfigRoute(config.web),
      // The app when this gateway serves one, else Sandbox.
      '/': (_req, res) => {
        res.writeHead(302, { location: webApp ? WEB_APP_PATH : '/graphql' });
        res.end();
      },
      '/health/live': (_req, res) => sendJson(res, 200, { status: 'ok', service: 'gateway' }),
      '/health/ready': async (_req, res) => {
        const subgraphs = await readiness();
        const redisReady = subscriptions.ready();
        const ready = redisReady && subgraphs.every((s) => s.ok);
        sendJson(res, ready ? 200 : 503, {
          status: ready ? 'ready' : 'not ready',
          subgraphs,
          redis: redisReady,
        });
      },
      '/metrics': metricsRoute('gateway'),
    },
    webApp,
  );
  const subscriptions = createSubscriptions(http, apollo, () => graph, config, log, policy, redisPrefix);
  const unwatchConnections = watchWebSocketConnections(subscriptions.connections);
  log.debug('gateway built', {
    supergraph: config.supergraph,
    subgraphs: config.subgraphs.map((s) => s.url),
  });
  return {
    http,
    listen: (port: number, host?: string) => listen(http, port, host),
    async close() {
      unwatchConnections();
      await subscriptions.close(); // sockets get 1001 (going away); clients reconnect with afterVersion
      await closeServer(http);
      await apollo.stop();
      redis.disconnect();
    },
  };
}
