import type mongoose from 'mongoose';
import { readConfigOrCheck } from './check-config';
import { ConfigError, envEnum, envPort, envString, readInfraConfig } from './config';
import { readIdentityCheck } from './identity';
import { createLogger, errorFields, type Logger } from './logger';
import { connectDatabase } from './mongo';
import { handleShutdown } from './shutdown';
import { readTracingConfig } from './tracing/config';

export interface Listening {
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

// A host name or an IP address (v4 or v6): anything else fails at listen, after the connections.
const HOST = /^[A-Za-z0-9.:-]{1,253}$/;
// What MongoDB accepts as a database name.
const DATABASE = /^[^/\\. "$*<>:|?]{1,63}$/;

/**
 * The settings every service reads, checked before it connects: where it listens (PORT, HOST) and how
 * much it logs (LOG_LEVEL; the logger would fall back to `info` on a typo, so it is checked here), and
 * where its traces go (the OTEL_* variables, tracing/config.ts).
 */
export function readListenConfig(defaultPort: number, env: NodeJS.ProcessEnv = process.env) {
  const host = envString('HOST', '127.0.0.1', env);
  if (!HOST.test(host)) throw new ConfigError('HOST', `must be a host name or an IP address, got "${host}"`);
  envEnum('LOG_LEVEL', 'info', ['debug', 'info', 'warn', 'error'] as const, env);
  readTracingConfig(env);
  return { port: envPort('PORT', defaultPort, env), host };
}

/** MONGO_DB, the database a service owns. */
export function readDatabaseName(fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  const name = envString('MONGO_DB', fallback, env);
  if (!DATABASE.test(name))
    throw new ConfigError(
      'MONGO_DB',
      `must be 1-63 characters without / \\ . " $ * < > : | ? or space, got "${name}"`,
    );
  return name;
}

/**
 * Ends a start that failed. A bad setting is one line naming the variable and what is wrong with it
 * (ConfigError's message), nothing more: the stack of a ConfigError says nothing to whoever set it.
 */
export function exitOnStartFailure(log: Logger, err: unknown): never {
  if (err instanceof ConfigError) log.error('invalid configuration', { error: err.message });
  else log.error('failed to start', errorFields(err));
  process.exit(1);
}

export interface DatabaseService<C> {
  /** Reads and checks the service's own settings; runs before anything connects. */
  config(env: NodeJS.ProcessEnv): C;
  /** Builds the server on the open connection. Does not listen. */
  build(conn: mongoose.Connection, log: Logger, config: C): Promise<Listening>;
}

/**
 * Runs an HTTP service that owns one database: reads every setting (PORT, HOST, MONGO_URL, MONGO_DB,
 * the subgraph identity check, then the service's own), connects, listens, and on SIGTERM/SIGINT
 * stops accepting requests, finishes in-flight ones, then disconnects.
 * Logs `{"msg":"listening","port":N}` once ready (tests start services on port 0 and read it).
 */
export async function runDatabaseService<C>(
  name: string,
  defaultPort: number,
  service: DatabaseService<C>,
): Promise<void> {
  const log = createLogger(name);
  try {
    const { port, host, dbName, mongoUrl, config } = readConfigOrCheck(name, () => ({
      ...readListenConfig(defaultPort),
      dbName: readDatabaseName(`rideshare_${name}`),
      mongoUrl: readInfraConfig().mongoUrl,
      // Every database service is a subgraph; createSubgraphServer reads these again once connected.
      mode: envEnum('APP_MODE', 'local', ['local', 'production'] as const),
      identity: readIdentityCheck(),
      config: service.config(process.env),
    }));
    const conn = await connectDatabase(mongoUrl, dbName);
    const server = await service.build(conn, log, config);
    const actual = await server.listen(port, host);
    handleShutdown(log, [() => conn.close(), () => server.close()]);
    log.notice('listening', { port: actual, url: `http://${host}:${actual}/graphql` });
  } catch (err) {
    exitOnStartFailure(log, err);
  }
}
