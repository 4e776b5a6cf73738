import { envEnum, envInt, envPort, envString, readInfraConfig } from '@rideshare/common';
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
  /** graphql-ws server pings at this interval; a client that does not answer is dropped. */
  wsKeepAliveMs: number;
  wsMaxMessageBytes: number;
  subgraphs: SubgraphConfig[];
}

/** Reads the gateway's configuration once; a bad value fails start-up naming the variable. */
export function readGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const defaultTimeout = envInt('SUBGRAPH_TIMEOUT_MS', 10_000, { min: 100, max: 300_000 }, env);
  return {
    port: envPort('PORT', 4000, env),
    host: envString('HOST', '127.0.0.1', env),
    mode: envEnum('APP_MODE', 'local', ['local', 'production'] as const, env),
    supergraph: envEnum('GATEWAY_SUPERGRAPH', 'static', ['static', 'poll'] as const, env),
    pollIntervalMs: envInt('GATEWAY_POLL_INTERVAL_MS', 10_000, { min: 1_000 }, env),
    maxBodyBytes: envInt('GATEWAY_MAX_BODY_BYTES', 1_000_000, { min: 1_000 }, env),
    redisUrl: readInfraConfig(env).redisUrl,
    wsKeepAliveMs: envInt('GATEWAY_WS_KEEPALIVE_MS', 12_000, { min: 0 }, env),
    wsMaxMessageBytes: envInt('GATEWAY_WS_MAX_MESSAGE_BYTES', 100_000, { min: 1_000 }, env),
    subgraphs: subgraphs.map(({ name }) => ({
      name,
      url: subgraphUrl(name, env),
      timeoutMs: envInt(`${name.toUpperCase()}_TIMEOUT_MS`, defaultTimeout, { min: 100, max: 300_000 }, env),
    })),
  };
}
