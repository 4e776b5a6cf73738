import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { errorFields, type Logger } from '@rideshare/common';
import {
  InvalidEventError,
  kafkaNamespace,
  parseTripEvent,
  TOPICS,
  type TripEventEnvelope,
} from './contracts';

/** An error that no retry can fix: the message goes to the dead-letter topic. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

export interface TripEventConsumerOptions {
  kafka: Kafka;
  /** Used for dead-lettering; the caller owns its lifecycle. */
  producer: Producer;
  groupId: string;
  log: Logger;
  /** Must be idempotent: Kafka delivers at least once. */
  handle(event: TripEventEnvelope, message: KafkaMessage): Promise<void>;
  fromBeginning?: boolean;
  /** Handlers of different trips run in parallel across partitions (default 6: every partition of the topic). */
  partitionsConsumedConcurrently?: number;
}

export interface RunningConsumer {
  consumer: Consumer;
  isRunning(): boolean;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Consumes trip events in a group. A message that fails validation, or whose handler throws
 * PermanentError, is sent to the dead-letter topic with the reason in its headers, and the consumer
 * carries on. Any other error is treated as transient and retried with back-off until it succeeds
 * or the consumer stops (the offset is not committed, so a restart redelivers it).
 */
export async function runTripEventConsumer(opts: TripEventConsumerOptions): Promise<RunningConsumer> {
  const groupId = `${kafkaNamespace}${opts.groupId}`;
  const consumer = opts.kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 15_000,
    heartbeatInterval: 1_000,
    // A fetch waits at most this long for new messages; it also bounds how long disconnect waits.
    maxWaitTimeInMs: 1_000,
  });
  let stopping = false;
  let running = false;
  consumer.on(consumer.events.CRASH, (e) => {
    running = false;
    opts.log.error('consumer crashed', {
      groupId: opts.groupId,
      error: String(e.payload.error),
      restart: e.payload.restart,
    });
  });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    running = true;
  });

  const deadLetter = async (message: KafkaMessage, partition: number, reason: string) => {
    opts.log.warn('dead-lettering message', {
      groupId: opts.groupId,
      partition,
      offset: message.offset,
      reason,
    });
    await opts.producer.send({
      topic: TOPICS.tripEventsDeadLetter,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            'dlq-reason': reason,
            'dlq-consumer-group': opts.groupId,
            'dlq-source': `${TOPICS.tripEvents}/${partition}/${message.offset}`,
          },
        },
      ],
    });
  };

  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.tripEvents, fromBeginning: opts.fromBeginning ?? true });
  await consumer.run({
    partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 6,
    eachMessage: async (payload) => {
      const { message, partition } = payload;
      let event: TripEventEnvelope;
      try {
        event = parseTripEvent(message.value);
      } catch (err) {
        if (err instanceof InvalidEventError) return deadLetter(message, partition, err.message);
        throw err;
      }
      for (let attempt = 1, delay = 100; ; attempt++, delay = Math.min(delay * 2, 5_000)) {
        try {
          await opts.handle(event, message);
          return;
        } catch (err) {
          if (err instanceof PermanentError) return deadLetter(message, partition, err.message);
          if (stopping) throw err; // leave it uncommitted; it is redelivered after restart
          opts.log.warn('handler failed, retrying', {
            groupId: opts.groupId,
            eventId: event.id,
            attempt,
            ...errorFields(err),
          });
          await sleep(delay);
          await payload.heartbeat();
        }
      }
    },
  });
  return {
    consumer,
    isRunning: () => running,
    async stop() {
      stopping = true;
      await consumer.disconnect();
    },
  };
}
