import type mongoose from 'mongoose';
import { envPort, envString, readInfraConfig } from './config';
import { createLogger, errorFields, type Logger } from './logger';
import { connectDatabase } from './mongo';
import { handleShutdown, type Closer } from './shutdown';

export interface Listening {
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * Runs an HTTP service that owns one database: reads PORT/HOST/MONGO_URL/MONGO_DB, connects, listens,
 * and on SIGTERM/SIGINT stops accepting requests, finishes in-flight ones, then disconnects.
 * Logs `{"msg":"listening","port":N}` once ready (tests start services on port 0 and read it).
 */
export async function runDatabaseService(
  name: string,
  defaultPort: number,
  build: (conn: mongoose.Connection, log: Logger) => Promise<Listening>,
  extraClosers: Closer[] = [],
): Promise<void> {
  const log = createLogger(name);
  try {
    const port = envPort('PORT', defaultPort);
    const host = envString('HOST', '127.0.0.1');
    const dbName = envString('MONGO_DB', `rideshare_${name}`);
    const conn = await connectDatabase(readInfraConfig().mongoUrl, dbName);
    const server = await build(conn, log);
    const actual = await server.listen(port, host);
    handleShutdown(log, [() => conn.close(), ...extraClosers, () => server.close()]);
    log.notice('listening', { port: actual, url: `http://${host}:${actual}/graphql` });
  } catch (err) {
    log.error('failed to start', errorFields(err));
    process.exit(1);
  }
}
