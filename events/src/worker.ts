import type { Kafka, Producer } from 'kafkajs';
import {
  closeServer,
  createHttpServer,
  createLogger,
  envPort,
  envString,
  errorFields,
  handleShutdown,
  listen,
  readInfraConfig,
  sendJson,
  type Closer,
  type Logger,
} from '@rideshare/common';
import { createKafka, createProducer, ensureTopics } from './kafka';

export interface WorkerContext {
  name: string;
  log: Logger;
  kafka: Kafka;
  producer: Producer;
  infra: ReturnType<typeof readInfraConfig>;
}

export interface WorkerParts {
  /** Readiness beyond Kafka: e.g. the database connection. */
  ready(): boolean;
  /** Closed in reverse order on shutdown, after the health server stops. */
  closers: Closer[];
}

/**
 * Runs a background worker: Kafka client and producer, topics ensured, a health server on PORT
 * (/health/live, /health/ready) and clean shutdown on SIGTERM/SIGINT (stop consuming, finish the
 * in-flight message, disconnect). Logs `{"msg":"listening","port":N}` when ready.
 */
export async function runWorker(
  name: string,
  defaultPort: number,
  setup: (ctx: WorkerContext) => Promise<WorkerParts>,
): Promise<void> {
  const log = createLogger(name);
  try {
    const infra = readInfraConfig();
    const port = envPort('PORT', defaultPort);
    const host = envString('HOST', '127.0.0.1');
    const kafka = createKafka(`rideshare-${name}`, infra.kafkaBrokers, log);
    await ensureTopics(kafka);
    const producer = await createProducer(kafka);
    const parts = await setup({ name, log, kafka, producer, infra });
    const health = createHttpServer({
      '/health/live': (_req, res) => sendJson(res, 200, { status: 'ok', service: name }),
      '/health/ready': (_req, res) => {
        const ready = parts.ready();
        sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', service: name });
      },
    });
    const actual = await listen(health, port, host);
    handleShutdown(log, [() => producer.disconnect(), ...parts.closers, () => closeServer(health)]);
    log.notice('listening', { port: actual, url: `http://${host}:${actual}/health/ready` });
  } catch (err) {
    log.error('failed to start', errorFields(err));
    process.exit(1);
  }
}
