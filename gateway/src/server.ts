import type { IncomingMessage } from 'node:http';
import Redis from 'ioredis';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { GraphQLSchema } from 'graphql';
import {
  apolloRoute,
  closeServer,
  createHttpServer,
  formatError,
  listen,
  sendJson,
  type Identity,
  type Logger,
} from '@rideshare/common';
import { createTokenVerifier, mintToken } from '@rideshare/common';
import type { GatewayConfig } from './config';
import { createApolloGateway, type GatewayContext } from './gateway';
import { guardGraphQLRoute } from './http-guard';
import { RedisQueryCache, readSafelist, safelistPlugin } from './limits/persisted-queries';
import { queryLimitsRule } from './limits/query-limits';
import { createRateLimiter } from './limits/rate-limit';
import { createReadinessCheck } from './readiness';
import { createSubscriptions } from './subscriptions';

/** Sandbox opens with an admin token already set (local mode only: the gateway holds the secret). */
async function landingPage(config: GatewayConfig): Promise<ApolloServerPlugin<GatewayContext>> {
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
 * The gateway on node:http: /graphql (queries, mutations and Sandbox over HTTP, subscriptions over
 * graphql-ws on the same path), /health/live, /health/ready, /metrics.
 */
export async function createGatewayServer(config: GatewayConfig, log: Logger) {
  const local = config.mode === 'local';
  const gateway = createApolloGateway(config);
  // Registered before start so the first load is seen too; subscriptions validate against it.
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate((update) => (apiSchema = update.apiSchema));
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', (err) => log.warn('redis error', { error: err.message }));
  const validationRules = [queryLimitsRule(config.limits)];
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: local,
    includeStacktraceInErrorResponses: local,
    formatError: (formatted) => formatError(formatted, local),
    validationRules,
    allowBatchedHttpRequests: true,
    persistedQueries: config.apq ? { cache: new RedisQueryCache(redis) } : false,
    plugins: [
      ApolloServerPluginUsageReportingDisabled(),
      await landingPage(config),
      ...(config.safelistFile ? [safelistPlugin(readSafelist(config.safelistFile))] : []),
    ],
  });
  await apollo.start();
  const verify = createTokenVerifier(config.auth);
  const identities = new WeakMap<IncomingMessage, Identity>();
  const graphql = apolloRoute(
    apollo,
    // The guard has authenticated every request but the landing page (which runs no operation).
    async (req) => ({ identity: identities.get(req) ?? { role: 'passenger', code: '' } }),
    config.maxBodyBytes,
    config.limits.maxBatchSize,
  );
  const readiness = createReadinessCheck(config.subgraphs);
  const http = createHttpServer({
    '/graphql': guardGraphQLRoute(graphql, {
      config,
      verify,
      rateLimit: createRateLimiter(redis, log),
      identities,
    }),
    '/': (_req, res) => {
      res.writeHead(302, { location: '/graphql' });
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
    '/metrics': (_req, res) => {
      const metrics = { ...subscriptions.metrics(), heap_used_bytes: process.memoryUsage().heapUsed };
      const lines = Object.entries(metrics).map(([name, value]) => `gateway_${name} ${value}`);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(lines.join('\n') + '\n');
    },
  });
  const subscriptions = createSubscriptions(http, apollo, () => apiSchema, config, log, {
    verify,
    validationRules,
  });
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
      redis.disconnect();
    },
  };
}
