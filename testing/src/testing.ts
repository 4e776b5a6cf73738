import crypto from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import type mongoose from 'mongoose';
import {
  mintToken,
  readAuthConfig,
  serviceSigner,
  connectDatabase,
  createLogger,
  readInfraConfig,
  type Listening,
  type Logger,
} from '@rideshare/common';
import { postGraphQL, type GraphQLResponse } from '@rideshare/common';
import {
  appServices,
  serviceDatabase,
  startService,
  type AppServiceName,
  type RunningService,
} from '@rideshare/stack';

export { postGraphQL, type GraphQLResponse };

export interface TestSystem {
  prefix: string;
  services: Map<AppServiceName, RunningService>;
  gatewayUrl: string;
  /** Every service's output so far, each line prefixed with `[name] `. */
  logs: readonly string[];
  query<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<T>>;
  envFor(name: AppServiceName): NodeJS.ProcessEnv;
  /** A bearer token for anyone (the gateway of a test system accepts it). */
  token(role: 'passenger' | 'driver' | 'admin', code: string): Promise<string>;
  /** `{ authorization: 'Bearer …' }` for an admin, for raw HTTP and graphql-ws `connectionParams`. */
  adminAuth(): Promise<{ authorization: string }>;
  /** Starts (or restarts) one service with the same environment, plus `env` (e.g. a fixed PORT). */
  start(name: AppServiceName, env?: NodeJS.ProcessEnv): Promise<RunningService>;
  /**
   * Starts one more instance of a service beside the first (same databases, topics and consumer
   * groups), with the same environment plus `env`. Not in `services`; stopped with the system.
   */
  startReplica(name: AppServiceName, env?: NodeJS.ProcessEnv): Promise<RunningService>;
  /** Waits until each named service answers /health/ready (a worker: its consumer has joined its group). */
  ready(names: readonly AppServiceName[], timeoutMs?: number): Promise<void>;
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
  const replicas: RunningService[] = [];
  const logs: string[] = [];
  const url = (name: AppServiceName) => services.get(name)?.url ?? '';
  const baseUrl = (name: AppServiceName) => `http://127.0.0.1:${services.get(name)?.port ?? 0}`;
  const envFor = (name: AppServiceName): NodeJS.ProcessEnv => ({
    ...process.env,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    PORT: '0',
    // Tests drive the gateway hard with one token; the limit tests set their own values.
    RATE_LIMIT_PER_MINUTE: '1000000',
    // Every test system calls from 127.0.0.1, and the per-IP count in Redis is shared by all of them.
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000000',
    GATEWAY_WS_MAX_CONNECTIONS_PER_IDENTITY: '10000',
    GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '10000',
    MONGO_DB: `${prefix}_${serviceDatabase[name]}`,
    DRIVERS_URL: url('drivers'),
    PASSENGERS_URL: url('passengers'),
    TRIPS_URL: url('trips'),
    GATEWAY_URL: url('gateway'),
    // Each test system gets its own topics and consumer groups.
    KAFKA_NAMESPACE: prefix,
    ...extraEnv,
  });
  const launch = (name: AppServiceName, env: NodeJS.ProcessEnv, label: string) => {
    const entry = appServices.find((s) => s.name === name)?.entry ?? '';
    return startService(name, entry, { ...envFor(name), ...env }, (line) => logs.push(`[${label}] ${line}`));
  };
  const start = async (name: AppServiceName, env: NodeJS.ProcessEnv = {}) => {
    const running = await launch(name, env, name);
    services.set(name, running);
    return running;
  };
  const startReplica = async (name: AppServiceName, env: NodeJS.ProcessEnv = {}) => {
    const running = await launch(name, env, `${name}-${replicas.filter((r) => r.name === name).length + 2}`);
    replicas.push(running);
    return running;
  };
  const ready = async (names: readonly AppServiceName[], timeoutMs = 30_000) => {
    await Promise.all(
      names.map((name) =>
        waitFor(async () => (await fetch(`${baseUrl(name)}/health/ready`)).ok, {
          timeoutMs,
          intervalMs: 200,
          what: `${name} to be ready`,
        }),
      ),
    );
  };
  const stop = async () => {
    await Promise.all([...services.values(), ...replicas].map((s) => s.stop()));
    const client = new MongoClient(readInfraConfig().mongoUrl);
    try {
      for (const db of new Set(Object.values(serviceDatabase)))
        await client.db(`${prefix}_${db}`).dropDatabase();
    } finally {
      await client.close();
    }
    await deleteNamespaceTopics(prefix);
  };
  try {
    // Each service gets the URLs of those started before it: drivers asks trips who rides with a
    // driver; the trips workers (started last) ask drivers.
    await start('passengers');
    await start('trips');
    await start('drivers');
    await start('gateway');
    if (options.workers ?? true)
      await Promise.all(appServices.filter((s) => s.kind === 'worker').map((s) => start(s.name)));
  } catch (err) {
    await stop();
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${logs.slice(-30).join('\n')}`);
  }
  const token = (role: 'passenger' | 'driver' | 'admin', code: string) =>
    mintToken(readAuthConfig(envFor('gateway')), { role, code });
  const adminAuth = async () => ({ authorization: `Bearer ${await token('admin', 'TEST-ADMIN')}` });
  return {
    prefix,
    services,
    get gatewayUrl() {
      return url('gateway');
    },
    logs,
    query: async (q, v) => postGraphQL(url('gateway'), q, v, await adminAuth()),
    token,
    adminAuth,
    envFor,
    start,
    startReplica,
    ready,
    stop,
  };
}

/** Deletes the topics a test system's services created under its KAFKA_NAMESPACE (best effort). */
async function deleteNamespaceTopics(prefix: string): Promise<void> {
  const admin = new Kafka({
    clientId: 'test-system',
    brokers: readInfraConfig().kafkaBrokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } catch {
    // Leftover topics only cost disk space; a failed clean-up must not fail the tests.
  } finally {
    await admin.disconnect();
  }
}

export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Names the condition in the timeout error. */
  what?: string;
}

/**
 * Polls `check` until it returns something other than undefined, null or false, and returns that.
 * A check may also throw (e.g. a failing `expect`) to mean "not yet". After the deadline it throws,
 * quoting the last error or value, so a timeout says what was still wrong.
 */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { timeoutMs = 10_000, intervalMs = 100, what = 'condition' }: WaitForOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last: ${detail}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
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
    // Subgraphs accept an identity only when signed with the secret they share with the gateway.
    serviceSigner('test'),
  );
}
