import type { Kafka } from 'kafkajs';
import type { kafkaNames } from './trip-testing';

/** A dead-lettered message with the headers the consumers add (events/src/consumer.ts). */
export interface DeadLetter {
  key: string;
  value: string;
  reason: string;
  /** The consumer group that gave up on it. */
  group: string;
  /** Where it was read: topic/partition/offset. */
  source: string;
}

export interface DeadLetterReader {
  /** Every dead letter read so far, in the order Kafka delivered them. */
  letters: DeadLetter[];
  disconnect(): Promise<void>;
}

/**
 * Reads a test system's dead-letter topic from its beginning into `letters`, as a consumer group of
 * its own (named afresh each time, so every read starts over).
 */
export async function readDeadLetters(
  kafka: Kafka,
  names: Pick<ReturnType<typeof kafkaNames>, 'deadLetterTopic' | 'group'>,
): Promise<DeadLetterReader> {
  const letters: DeadLetter[] = [];
  const reader = kafka.consumer({ groupId: names.group(`dlq-reader-${Date.now()}`) });
  await reader.connect();
  try {
    await reader.subscribe({ topic: names.deadLetterTopic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        letters.push({
          key: String(message.key),
          value: String(message.value),
          reason: String(message.headers?.['dlq-reason']),
          group: String(message.headers?.['dlq-consumer-group']),
          source: String(message.headers?.['dlq-source']),
        });
      },
    });
  } catch (err) {
    await reader.disconnect();
    throw err;
  }
  return { letters, disconnect: () => reader.disconnect() };
}
