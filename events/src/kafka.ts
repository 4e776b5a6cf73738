import { Kafka, KafkaJSProtocolError, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import { ConfigError, envHostPorts, envInt, envString, infraDefaults, type Logger } from '@rideshare/common';
import { eventTopics, KAFKA_NAMESPACE_PATTERN, type EventTopics } from './contracts';
import { kafkaLogCreator } from './kafka-log';

/** What every Kafka client of the system reads from the environment, once, before it connects. */
export interface KafkaConfig {
  brokers: string[];
  /** KAFKA_NAMESPACE: prefixes every topic and consumer group ('' for none). */
  namespace: string;
  /** TRIP_EVENTS_PARTITIONS: the partitions of each topic ensureTopics creates. */
  partitions: number;
  topics: EventTopics;
}

/** A bad value throws a ConfigError naming the variable. */
export function readKafkaConfig(env: NodeJS.ProcessEnv = process.env): KafkaConfig {
  const namespace = envString('KAFKA_NAMESPACE', '', env);
  if (namespace && !KAFKA_NAMESPACE_PATTERN.test(namespace))
    throw new ConfigError(
      'KAFKA_NAMESPACE',
      `must be at most 100 letters, digits, ".", "_" or "-" (it prefixes topic names), got "${namespace}"`,
    );
  return {
    brokers: envHostPorts('KAFKA_BROKERS', infraDefaults.kafkaBrokers, env),
    namespace,
    partitions: envInt('TRIP_EVENTS_PARTITIONS', 6, { min: 1, max: 1_000 }, env),
    topics: eventTopics(namespace),
  };
}

/** A client together with the namespace its topics and consumer groups live in. */
export interface EventKafka extends KafkaConfig {
  client: Kafka;
}

export function createKafka(clientId: string, brokers: string[], log: Logger): Kafka {
  return new Kafka({
    clientId,
    brokers,
    retry: { retries: 8, initialRetryTime: 200 },
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(log),
  });
}

/** The client of a validated configuration (it connects only when used). */
export function createEventKafka(clientId: string, config: KafkaConfig, log: Logger): EventKafka {
  return { ...config, client: createKafka(clientId, config.brokers, log) };
}

/** An idempotent producer: retries never duplicate or reorder what it sends to a partition. */
export async function createProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}

/**
 * Creates every topic of the configuration that is missing, each with its `partitions` (explicitly:
 * auto-creation races under KRaft). Services pass the configuration they read at start; the default
 * reads it now, for callers (tests) that never read one.
 */
export async function ensureTopics(
  kafka: Kafka,
  config: Pick<KafkaConfig, 'topics' | 'partitions'> = readKafkaConfig(),
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = Object.values(config.topics).filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin
        .createTopics({
          topics: missing.map((topic) => ({ topic, numPartitions: config.partitions })),
          waitForLeaders: true,
        })
        .catch((err: unknown) => {
          // Another process may have created it between list and create.
          if (!(err instanceof Error && /already exists/i.test(err.message))) throw err;
        });
    }
    await untilServed(admin, Object.values(config.topics));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until every partition of the topics answers an offsets request. A topic another process has
 * just created, or one whose leader is still being elected, answers "not the leader" for a moment even
 * after its metadata lists a leader.
 */
async function untilServed(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const topic of topics) {
    for (;;) {
      try {
        await admin.fetchTopicOffsets(topic);
        break;
      } catch (err) {
        const retriable = err instanceof KafkaJSProtocolError && err.retriable;
        if (!retriable || Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
}
