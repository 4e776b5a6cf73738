import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { Logger } from '@rideshare/common';
import { TOPICS } from './contracts';

export function createKafka(clientId: string, brokers: string[], log: Logger): Kafka {
  const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
    [logLevel.ERROR]: 'error',
    [logLevel.WARN]: 'warn',
    [logLevel.INFO]: 'info',
    [logLevel.DEBUG]: 'debug',
  };
  return new Kafka({
    clientId,
    brokers,
    retry: { retries: 8, initialRetryTime: 200 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, ...fields } = entry;
        log[levels[level] ?? 'info'](`kafka: ${message}`, fields);
      },
  });
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
 * Creates every topic in TOPICS that is missing, each with `partitions` (explicitly: auto-creation races
 * under KRaft).
 */
export async function ensureTopics(
  kafka: Kafka,
  partitions = Number(process.env.TRIP_EVENTS_PARTITIONS ?? 6),
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = Object.values(TOPICS).filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin
        .createTopics({
          topics: missing.map((topic) => ({ topic, numPartitions: partitions })),
          waitForLeaders: true,
        })
        .catch((err: unknown) => {
          // Another process may have created it between list and create.
          if (!(err instanceof Error && /already exists/i.test(err.message))) throw err;
        });
    }
  } finally {
    await admin.disconnect();
  }
}
