import crypto from 'node:crypto';
import { MongoClient } from 'mongodb';
import { readInfraConfig } from '@rideshare/common';
import { appServices, startService, type AppServiceName, type RunningService } from './services';

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: Array<{
    message: string;
    path?: string[];
    extensions?: Record<string, unknown> & { code?: string };
  }>;
}

export async function postGraphQL<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GraphQLResponse<T>;
}

export interface TestSystem {
  prefix: string;
  services: Map<AppServiceName, RunningService>;
  gatewayUrl: string;
  query<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<T>>;
  envFor(name: AppServiceName): NodeJS.ProcessEnv;
  /** Starts (or restarts) one service with the same environment. */
  start(name: AppServiceName): Promise<RunningService>;
  stop(): Promise<void>;
}

/**
 * Starts the subgraphs and the gateway on free ports, each on its own throw-away databases
 * (MONGO_DB=<prefix>_<service>), against the real stack named by KAFKA_BROKERS/MONGO_URL/REDIS_URL.
 */
export async function startTestSystem(extraEnv: NodeJS.ProcessEnv = {}): Promise<TestSystem> {
  const prefix = `t${crypto.randomBytes(4).toString('hex')}`;
  const services = new Map<AppServiceName, RunningService>();
  const logs: string[] = [];
  const url = (name: AppServiceName) => services.get(name)?.url ?? '';
  const envFor = (name: AppServiceName): NodeJS.ProcessEnv => ({
    ...process.env,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    PORT: '0',
    MONGO_DB: `${prefix}_${name}`,
    DRIVERS_URL: url('drivers'),
    PASSENGERS_URL: url('passengers'),
    TRIPS_URL: url('trips'),
    ...extraEnv,
  });
  const start = async (name: AppServiceName) => {
    const entry = appServices.find((s) => s.name === name)?.entry ?? '';
    const running = await startService(name, entry, envFor(name), (line) => logs.push(`[${name}] ${line}`));
    services.set(name, running);
    return running;
  };
  const stop = async () => {
    await Promise.all([...services.values()].map((s) => s.stop()));
    const client = new MongoClient(readInfraConfig().mongoUrl);
    try {
      for (const s of appServices) await client.db(`${prefix}_${s.name}`).dropDatabase();
    } finally {
      await client.close();
    }
  };
  try {
    await Promise.all((['drivers', 'passengers'] as const).map(start));
    await start('trips');
    await start('gateway');
  } catch (err) {
    await stop();
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${logs.slice(-30).join('\n')}`);
  }
  return {
    prefix,
    services,
    get gatewayUrl() {
      return url('gateway');
    },
    query: (q, v) => postGraphQL(url('gateway'), q, v),
    envFor,
    start,
    stop,
  };
}
