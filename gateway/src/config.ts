import {
  envEnum,
  envInt,
  envOptionalString,
  envString,
  envUrl,
  readInfraConfig,
  readListenConfig,
} from '@rideshare/common';
import { readAuthConfig, readIdentitySecret, readRedisPrefix, type AuthConfig } from '@rideshare/common';
import { readWebClientConfig, type WebClientConfig } from './auth/client-config';
import type { QueryLimits } from './limits/query-limits';
import { subgraphs, subgraphUrl, type SubgraphName } from '@rideshare/schema';

export interface SubgraphConfig {
  name: SubgraphName;
  url: string;
  timeoutMs: number;
}

export interface GatewayConfig {
  port: number;
  host: string;
  mode: 'local' | 'production';
  /** `static` serves schema/supergraph.graphql; `poll` composes from live subgraphs (development only). */
  supergraph: 'static' | 'poll';
  pollIntervalMs: number;
  maxBodyBytes: number;
  redisUrl: string;
  /** REDIS_NAMESPACE's `<ns>:` (or ''): prefixes every Redis key and channel of the gateway. */
  redisPrefix: string;
  /** graphql-ws server pings at this interval; a client that does not answer is dropped. */
  wsKeepAliveMs: number;
  wsMaxMessageBytes: number;
  wsMaxSubscriptionsPerConnection: number;
  wsMaxConnectionsPerIdentity: number;
  /** Subscribers with the same selection of a trip share one resolution per event (`off`: the naive path, for benchmarks). */
  subscriptionDedup: boolean;
  auth: AuthConfig;
  /** SUBGRAPH_IDENTITY_SECRET: signs the caller identity on every subgraph call. */
  identitySecret: string;
  limits: QueryLimits & { maxBatchSize: number };
  rateLimit: { perMinute: number; anonymousPerMinute: number };
  /** Automatic persisted queries (Redis store). */
  apq: boolean;
  /** A persisted-query manifest: when set, only its operations run. */
  safelistFile?: string;
  /** Origins allowed by CORS; `*` allows any. */
  corsOrigins: string[];
  subgraphs: SubgraphConfig[];
  /** The web client: where its build is (served under /app/) and how it signs people in. */
  web: WebClientConfig;
}

/** Reads the gateway's configuration once; a bad value fails start-up naming the variable. */
export function readGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const defaultTimeout = envInt('SUBGRAPH_TIMEOUT_MS', 10_000, { min: 100, max: 300_000 }, env);
  const mode = envEnum('APP_MODE', 'local', ['local', 'production'] as const, env);
  const auth = readAuthConfig(env);
  return {
    ...readListenConfig(4000, env),
    mode,
    supergraph: envEnum('GATEWAY_SUPERGRAPH', 'static', ['static', 'poll'] as const, env),
    pollIntervalMs: envInt('GATEWAY_POLL_INTERVAL_MS', 10_000, { min: 1_000 }, env),
    maxBodyBytes: envInt('GATEWAY_MAX_BODY_BYTES', 1_000_000, { min: 1_000 }, env),
    redisUrl: readInfraConfig(env).redisUrl,
    redisPrefix: readRedisPrefix(env),
    wsKeepAliveMs: envInt('GATEWAY_WS_KEEPALIVE_MS', 12_000, { min: 0 }, env),
    wsMaxMessageBytes: envInt('GATEWAY_WS_MAX_MESSAGE_BYTES', 100_000, { min: 1_000 }, env),
    wsMaxSubscriptionsPerConnection: envInt(
      'GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION',
      100,
      { min: 1 },
      env,
    ),
    wsMaxConnectionsPerIdentity: envInt('GATEWAY_WS_MAX_CONNECTIONS_PER_IDENTITY', 20, { min: 1 }, env),
    subscriptionDedup: envEnum('GATEWAY_SUBSCRIPTION_DEDUP', 'on', ['on', 'off'] as const, env) === 'on',
    auth,
    web: readWebClientConfig(env, mode, auth),
    // Read with the rest (not when the Apollo gateway is built) so --check-config sees and checks it.
    identitySecret: readIdentitySecret(env),
    limits: {
      maxDepth: envInt('LIMIT_MAX_DEPTH', 10, { min: 1 }, env),
      maxAliases: envInt('LIMIT_MAX_ALIASES', 20, { min: 0 }, env),
      maxDirectives: envInt('LIMIT_MAX_DIRECTIVES', 50, { min: 0 }, env),
      maxTokens: envInt('LIMIT_MAX_TOKENS', 2_000, { min: 100 }, env),
      maxCost: envInt('LIMIT_MAX_COST', 5_000, { min: 1 }, env),
      defaultListSize: envInt('LIMIT_DEFAULT_LIST_SIZE', 10, { min: 1 }, env),
      maxListSize: 200, // the subgraphs' own cap on `limit`
      maxBatchSize: envInt('LIMIT_MAX_BATCH', 10, { min: 1, max: 100 }, env),
    },
    rateLimit: {
      perMinute: envInt('RATE_LIMIT_PER_MINUTE', 3_000, { min: 1 }, env),
      anonymousPerMinute: envInt('RATE_LIMIT_ANONYMOUS_PER_MINUTE', 120, { min: 1 }, env),
    },
    apq: envEnum('GATEWAY_APQ', 'on', ['on', 'off'] as const, env) === 'on',
    safelistFile: envOptionalString('GATEWAY_SAFELIST_FILE', env),
    corsOrigins: envString('GATEWAY_CORS_ORIGINS', (env.APP_MODE ?? 'local') === 'local' ? '*' : '', env)
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    subgraphs: subgraphs.map(({ name }) => ({
      name,
      url: envUrl(`${name.toUpperCase()}_URL`, subgraphUrl(name, {}), ['http:', 'https:'], env),
      timeoutMs: envInt(`${name.toUpperCase()}_TIMEOUT_MS`, defaultTimeout, { min: 100, max: 300_000 }, env),
    })),
  };
}
