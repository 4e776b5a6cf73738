import Redis from 'ioredis';
import { runEventConsumer, runTripEventConsumer } from '../consumer';
import {
  driverLiveMessages,
  parseDriverEvent,
  TOPICS,
  tripLiveMessages,
  type LiveMessage,
} from '../contracts';
import { runWorker } from '../worker';

/**
 * Publishes live signals (common/src/live-signal.ts) on the Redis channels the gateway's live fields
 * listen on; which channels and signals an event makes is in the contracts (contracts/live-signals.ts).
 */
export async function publishLive(redis: Redis, messages: LiveMessage[]): Promise<void> {
  const pipeline = redis.pipeline();
  for (const { channel, message } of messages) pipeline.publish(channel, message);
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([err]) => err);
  if (failed?.[0]) throw failed[0];
}

if (require.main === module) {
  void runWorker('notifier', 4105, async ({ kafka, producer, log, infra }) => {
    const redis = new Redis(infra.redisUrl, { maxRetriesPerRequest: 3 });
    redis.on('error', (err) => log.warn('redis error', { error: err.message }));
    // Live fields stream from now on (the gateway replays history itself), so no old events.
    const trips = await runTripEventConsumer({
      kafka,
      producer,
      groupId: 'notifier',
      log,
      fromBeginning: false,
      handle: (event) => publishLive(redis, tripLiveMessages(event)),
    });
    const drivers = await runEventConsumer({
      kafka,
      producer,
      topic: TOPICS.driverEvents,
      deadLetterTopic: TOPICS.driverEventsDeadLetter,
      groupId: 'notifier-drivers',
      log,
      fromBeginning: false,
      parse: parseDriverEvent,
      describe: (event) => ({ eventId: event.id }),
      handle: (event) => publishLive(redis, driverLiveMessages(event)),
    });
    return {
      ready: () => trips.isRunning() && drivers.isRunning() && redis.status === 'ready',
      closers: [() => redis.quit(), () => trips.stop(), () => drivers.stop()],
    };
  });
}
