import type { Consumer, ConsumerRunConfig, KafkaMessage, Producer } from 'kafkajs';
import { errorFields, failureKind, type Logger } from '@rideshare/common';
import { consumerGroupId, parseTripEvent, type TripEventEnvelope } from './contracts';
import { consumerCounters, watchConsumerLag } from './consumer-metrics';
import type { EventKafka } from './kafka';

export interface EventConsumerOptions<E> {
  /** The client and the namespace the group joins under. */
  kafka: EventKafka;
  /** Used for dead-lettering; the caller owns its lifecycle. */
  producer: Producer;
  topic: string;
  deadLetterTopic: string;
  groupId: string;
  log: Logger;
  /** Validates a message value. Anything it throws dead-letters the message: parsing is deterministic. */
  parse(value: Buffer | null): E;
  /** Names the event in logs (e.g. its id). */
  describe?(event: E): Record<string, unknown>;
  /** Must be idempotent: Kafka delivers at least once. */
  handle(event: E, message: KafkaMessage): Promise<void>;
  fromBeginning?: boolean;
  /** Handlers of different keys run in parallel across partitions (default 6: every partition of the topic). */
  partitionsConsumedConcurrently?: number;
}

export type TripEventConsumerOptions = Omit<
  EventConsumerOptions<TripEventEnvelope>,
  'topic' | 'deadLetterTopic' | 'parse' | 'describe'
>;

export interface RunningConsumer {
  consumer: Consumer;
  isRunning(): boolean;
  stop(): Promise<void>;
}

/** Back-off between attempts at a transient failure: doubling, capped so a recovery is noticed soon. */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;
/** A consumer that kafkajs gave up on is started again after this, then backing off up to MAX_RETRY_MS. */
const FIRST_RESTART_MS = 500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Consumes one topic in a group. A message that does not parse, or whose handler fails permanently
 * (failureKind: a PermanentError, a permanent GraphQLClientError), goes to the dead-letter topic with
 * the reason in its headers, and the partition carries on. Any other failure is transient and retried
 * with capped exponential back-off until it succeeds or the consumer stops (the offset is not
 * committed, so a restart redelivers it).
 */
export async function runEventConsumer<E>(opts: EventConsumerOptions<E>): Promise<RunningConsumer> {
  const groupId = consumerGroupId(opts.kafka.namespace, opts.groupId);
  const consumer = opts.kafka.client.consumer({
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 15_000,
    heartbeatInterval: 1_000,
    // A fetch waits at most this long for new messages; it also bounds how long disconnect waits.
    maxWaitTimeInMs: 1_000,
  });
  let stopping = false;
  let running = false;
  let restartTimer: NodeJS.Timeout | undefined;
  // kafkajs restarts a crashed consumer only after a retriable error. Others end it for good, e.g.
  // "Failed to find group coordinator" while a restarted broker loads its groups (the fault suite's
  // Kafka restart left the archiver stopped): those are restarted here, backing off, until it runs.
  const restartAfter = (delayMs: number) => {
    restartTimer = setTimeout(() => {
      if (stopping) return;
      consumer
        .connect()
        .then(() => consumer.run(runConfig))
        .catch((err: unknown) => {
          opts.log.warn('consumer restart failed; trying again', {
            groupId: opts.groupId,
            ...errorFields(err),
          });
          restartAfter(Math.min(delayMs * 2, MAX_RETRY_MS));
        });
    }, delayMs);
  };
  consumer.on(consumer.events.CRASH, (e) => {
    running = false;
    opts.log.error('consumer crashed', {
      groupId: opts.groupId,
      error: String(e.payload.error),
      restart: e.payload.restart,
    });
    if (!e.payload.restart && !stopping) restartAfter(FIRST_RESTART_MS);
  });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    running = true;
  });

  const labels = { group: groupId, topic: opts.topic };
  const deadLetter = async (
    message: KafkaMessage,
    partition: number,
    reason: string,
    cause: 'invalid' | 'permanent',
  ) => {
    opts.log.warn('dead-lettering message', {
      groupId: opts.groupId,
      topic: opts.topic,
      partition,
      offset: message.offset,
      reason,
    });
    await opts.producer.send({
      topic: opts.deadLetterTopic,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            'dlq-reason': reason,
            'dlq-consumer-group': opts.groupId,
            'dlq-source': `${opts.topic}/${partition}/${message.offset}`,
          },
        },
      ],
    });
    consumerCounters.deadLettered.inc({ ...labels, cause });
  };

  const runConfig: ConsumerRunConfig = {
    partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 6,
    eachMessage: async (payload) => {
      const { message, partition } = payload;
      let event: E;
      try {
        event = opts.parse(message.value);
      } catch (err) {
        return deadLetter(message, partition, reasonOf(err), 'invalid');
      }
      for (let attempt = 1, delay = FIRST_RETRY_MS; ; attempt++, delay = Math.min(delay * 2, MAX_RETRY_MS)) {
        try {
          await opts.handle(event, message);
          consumerCounters.handled.inc(labels);
          return;
        } catch (err) {
          if (failureKind(err) === 'permanent')
            return deadLetter(message, partition, reasonOf(err), 'permanent');
          if (stopping) throw err; // leave it uncommitted; it is redelivered after restart
          opts.log.warn('handler failed, retrying', {
            groupId: opts.groupId,
            ...opts.describe?.(event),
            attempt,
            retryInMs: delay,
            ...errorFields(err),
          });
          consumerCounters.retries.inc(labels);
          await sleep(delay);
          await payload.heartbeat();
        }
      }
    },
  };
  await consumer.connect();
  await consumer.subscribe({ topic: opts.topic, fromBeginning: opts.fromBeginning ?? true });
  await consumer.run(runConfig);
  const stopLag = watchConsumerLag(opts.kafka.client, groupId, opts.topic);
  return {
    consumer,
    isRunning: () => running,
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      await stopLag();
      await consumer.disconnect();
    },
  };
}

/**
 * The trip-events topic of the client's namespace (keyed by trip code), with invalid events
 * dead-lettered as InvalidEventError.
 */
export function runTripEventConsumer(opts: TripEventConsumerOptions): Promise<RunningConsumer> {
  return runEventConsumer({
    ...opts,
    topic: opts.kafka.topics.tripEvents,
    deadLetterTopic: opts.kafka.topics.tripEventsDeadLetter,
    parse: parseTripEvent,
    describe: (event) => ({ eventId: event.id }),
  });
}
