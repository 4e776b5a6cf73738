import Redis from 'ioredis';
import { currentTraceCarrier, readRedisPrefix } from '@rideshare/common';
import { runEventConsumer, runTripEventConsumer } from '../consumer';
import {
  driverLiveMessages,
  parseDriverEvent,
  tripLiveMessages,
  type EventTopics,
  type LiveMessage,
} from '../contracts';
import { runWorker } from '../worker';

/**
 * Publishes live signals (common/src/live-signal.ts) on the Redis channels the gateway's live fields
 * listen on; which channels and signals an event makes is in the contracts (contracts/live-signals.ts).
 * `prefix` is REDIS_NAMESPACE's `<ns>:` (or ''): the gateway listens on the same names inside it.
 */
export async function publishLive(redis: Redis, messages: LiveMessage[], prefix: string): Promise<void> {
  const pipeline = redis.pipeline();
  for (const { channel, message } of messages) pipeline.publish(prefix + channel, message);
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([err]) => err);
  if (failed?.[0]) throw failed[0];
}

/** Consumer groups by the topic they read (before KAFKA_NAMESPACE): the KEDA scalers read them too. */
export const consumerGroups = {
  tripEvents: 'notifier',
  driverEvents: 'notifier-drivers',
} as const satisfies Partial<EventTopics>;

if (require.main === module) {
  void runWorker('notifier', 4105, {
    config: (env) => ({ prefix: readRedisPrefix(env) }),
    setup: async ({ kafka, producer, log, infra }, { prefix }) => {
      const redis = new Redis(infra.redisUrl, { maxRetriesPerRequest: 3 });
      redis.on('error', (err) => log.warn('redis error', { error: err.message }));
      // Live fields stream from now on (the gateway replays history itself), so no old events.
      const trips = await runTripEventConsumer({
        kafka,
        producer,
        groupId: consumerGroups.tripEvents,
        log,
        fromBeginning: false,
        // The signal carries the event's trace (this handler runs in the Kafka consumer's span).
        handle: (event) => publishLive(redis, tripLiveMessages(event, currentTraceCarrier()), prefix),
      });
      const drivers = await runEventConsumer({
        kafka,
        producer,
        topic: kafka.topics.driverEvents,
        deadLetterTopic: kafka.topics.driverEventsDeadLetter,
        groupId: consumerGroups.driverEvents,
        log,
        fromBeginning: false,
        parse: parseDriverEvent,
        describe: (event) => ({ eventId: event.id }),
        handle: (event) => publishLive(redis, driverLiveMessages(event, currentTraceCarrier()), prefix),
      });
      return {
        ready: () => trips.isRunning() && drivers.isRunning() && redis.status === 'ready',
        closers: [() => redis.quit(), () => trips.stop(), () => drivers.stop()],
      };
    },
  });
}
