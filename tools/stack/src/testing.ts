import crypto from 'node:crypto';
import { MongoClient } from 'mongodb';
import type mongoose from 'mongoose';
import {
  connectDatabase,
  createLogger,
  readInfraConfig,
  type Listening,
  type Logger,
} from '@rideshare/common';
import { postGraphQL, type GraphQLResponse } from './graphql-client';
import {
  appServices,
  serviceDatabase,
  startService,
  type AppServiceName,
  type RunningService,
} from './services';

export { postGraphQL, type GraphQLResponse };

export interface TestSystem {
  prefix: string;
  services: Map<AppServiceName, RunningService>;
  gatewayUrl: string;
  query<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<T>>;
  envFor(name: AppServiceName): NodeJS.ProcessEnv;
  /** Starts (or restarts) one service with the same environment, plus `env` (e.g. a fixed PORT). */
  start(name: AppServiceName, env?: NodeJS.ProcessEnv): Promise<RunningService>;
  stop(): Promise<void>;
}

/**
 * Starts the subgraphs and the gateway on free ports, each on its own throw-away databases
 * (MONGO_DB=<prefix>_<service>), against the real stack named by KAFKA_BROKERS/MONGO_URL/REDIS_URL.
 */
export interface TestSystemOptions {
  /** Start the lifecycle workers (orchestrator, simulator, archiver, reporting, notifier). Default true. */
  workers?: boolean;
}

export async function startTestSystem(
  extraEnv: NodeJS.ProcessEnv = {},
  options: TestSystemOptions = {},
): Promise<TestSystem> {
  const prefix = `t${crypto.randomBytes(4).toString('hex')}`;
  const services = new Map<AppServiceName, RunningService>();
  const logs: string[] = [];
  const url = (name: AppServiceName) => services.get(name)?.url ?? '';
  const envFor = (name: AppServiceName): NodeJS.ProcessEnv => ({
    ...process.env,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    PORT: '0',
    MONGO_DB: `${prefix}_${serviceDatabase[name]}`,
    DRIVERS_URL: url('drivers'),
    PASSENGERS_URL: url('passengers'),
    TRIPS_URL: url('trips'),
    GATEWAY_URL: url('gateway'),
    // Each test system gets its own topics and consumer groups.
    KAFKA_NAMESPACE: prefix,
    ...extraEnv,
  });
  const start = async (name: AppServiceName, env: NodeJS.ProcessEnv = {}) => {
    const entry = appServices.find((s) => s.name === name)?.entry ?? '';
    const running = await startService(name, entry, { ...envFor(name), ...env }, (line) =>
      logs.push(`[${name}] ${line}`),
    );
    services.set(name, running);
    return running;
  };
  const stop = async () => {
    await Promise.all([...services.values()].map((s) => s.stop()));
    const client = new MongoClient(readInfraConfig().mongoUrl);
    try {
      for (const db of new Set(Object.values(serviceDatabase)))
        await client.db(`${prefix}_${db}`).dropDatabase();
    } finally {
      await client.close();
    }
  };
  try {
    await Promise.all((['drivers', 'passengers'] as const).map((name) => start(name)));
    await start('trips');
    await start('gateway');
    if (options.workers ?? true)
      await Promise.all(appServices.filter((s) => s.kind === 'worker').map((s) => start(s.name)));
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

/** A query the database received, as mongoose reports it to a per-connection debug hook. */
export interface RecordedQuery {
  collection: string;
  method: string;
  args: unknown[];
}

export interface InProcessSubgraph {
  url: string;
  connection: mongoose.Connection;
  /** Every collection call on the connection since start (or since the test emptied it). */
  queries: RecordedQuery[];
  stop(): Promise<void>;
}

/**
 * Builds one subgraph in this process on a throw-away database (dropped by stop) and listens on a
 * free port. Every collection call on its connection is recorded in `queries`, so tests can count
 * what a request cost the database.
 */
export async function startSubgraphInProcess(
  name: string,
  build: (conn: mongoose.Connection, log: Logger) => Promise<Listening>,
): Promise<InProcessSubgraph> {
  const dbName = `t${crypto.randomBytes(4).toString('hex')}_${name}`;
  const connection = await connectDatabase(readInfraConfig().mongoUrl, dbName);
  const queries: RecordedQuery[] = [];
  connection.set('debug', (collection: string, method: string, ...args: unknown[]) => {
    queries.push({ collection, method, args });
  });
  let server: Listening | undefined;
  const stop = async () => {
    await server?.close();
    await connection.dropDatabase();
    await connection.close();
  };
  try {
    server = await build(connection, createLogger(name, process.env.LOG_LEVEL ?? 'warn'));
    const port = await server.listen(0);
    return { url: `http://127.0.0.1:${port}/graphql`, connection, queries, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Resolves `typename` entities by code through a subgraph's `_entities`, as the gateway would. */
export function queryEntities<T>(
  url: string,
  typename: string,
  selection: string,
  codes: string[],
): Promise<GraphQLResponse<{ _entities: Array<T | null> }>> {
  return postGraphQL(
    url,
    `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${typename} { ${selection} } } }`,
    { representations: codes.map((code) => ({ __typename: typename, code })) },
  );
}
