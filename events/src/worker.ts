import type { Producer } from 'kafkajs';
import {
  closeServer,
  createHttpServer,
  createLogger,
  exitOnStartFailure,
  handleShutdown,
  listen,
  metricsRoute,
  readInfraConfig,
  readListenConfig,
  readConfigOrCheck,
  sendJson,
  type Closer,
  type Logger,
} from '@rideshare/common';
import { createEventKafka, createProducer, ensureTopics, readKafkaConfig, type EventKafka } from './kafka';

export interface WorkerContext {
  name: string;
  log: Logger;
  /** The client and the namespace of the topics and consumer groups. */
  kafka: EventKafka;
  producer: Producer;
  infra: ReturnType<typeof readInfraConfig>;
}

export interface WorkerParts {
  /** Readiness beyond Kafka: e.g. the database connection. */
  ready(): boolean;
  /** Closed in reverse order on shutdown, after the health server stops. */
  closers: Closer[];
}

type Setup = (ctx: WorkerContext) => Promise<WorkerParts>;

/** A worker with settings of its own, read and checked before anything connects. */
export interface WorkerSpec<C> {
  config(env: NodeJS.ProcessEnv): C;
  setup(ctx: WorkerContext, config: C): Promise<WorkerParts>;
}

/** Reads the worker's own settings now; the setup it returns runs with them once connected. */
const prepare = <C>(spec: Setup | WorkerSpec<C>, env: NodeJS.ProcessEnv): Setup => {
  if (typeof spec === 'function') return spec;
  const config = spec.config(env);
  return (ctx) => spec.setup(ctx, config);
};

/**
 * Runs a background worker: every setting read first (PORT, HOST, the infrastructure, Kafka's, then
 * the worker's own), then the Kafka client and producer, topics ensured, a health server on PORT
 * (/health/live, /health/ready, /metrics) and clean shutdown on SIGTERM/SIGINT (stop consuming, finish the
 * in-flight message, disconnect). Logs `{"msg":"listening","port":N}` when ready.
 */
export async function runWorker<C>(
  name: string,
  defaultPort: number,
  spec: Setup | WorkerSpec<C>,
): Promise<void> {
  const log = createLogger(name);
  try {
    const { port, host, infra, kafkaConfig, setup } = readConfigOrCheck(name, () => ({
      ...readListenConfig(defaultPort),
      infra: readInfraConfig(),
      kafkaConfig: readKafkaConfig(),
      setup: prepare(spec, process.env),
    }));
    const kafka = createEventKafka(`rideshare-${name}`, kafkaConfig, log);
    await ensureTopics(kafka.client, kafkaConfig);
    const producer = await createProducer(kafka.client);
    const parts = await setup({ name, log, kafka, producer, infra });
    const health = createHttpServer({
      '/metrics': metricsRoute(name),
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
    exitOnStartFailure(log, err);
  }
}
