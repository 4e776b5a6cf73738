import Redis from 'ioredis';
import { runTripEventConsumer } from '../consumer';
import type { TripEventEnvelope } from '../contracts';
import { runWorker } from '../worker';

/** Redis channels the gateway's subscriptions listen on. */
export const channels = {
  trip: (code: string) => `trip:${code}`,
  driverOffers: (driverCode: string) => `driver-offers:${driverCode}`,
};

/** Publishes a trip event to its trip's channel, and each offer to the offered driver's channel. */
export async function notify(redis: Redis, event: TripEventEnvelope): Promise<void> {
  const payload = JSON.stringify(event);
  const pipeline = redis.pipeline().publish(channels.trip(event.subject), payload);
  if (event.data.event === 'DRIVERS_NOTIFIED') {
    for (const driverCode of event.data.trip.availableDriverCodes)
      pipeline.publish(channels.driverOffers(driverCode), payload);
  }
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([err]) => err);
  if (failed?.[0]) throw failed[0];
}

if (require.main === module) {
  void runWorker('notifier', 4105, async ({ kafka, producer, log, infra }) => {
    const redis = new Redis(infra.redisUrl, { maxRetriesPerRequest: 3 });
    redis.on('error', (err) => log.warn('redis error', { error: err.message }));
    const consumer = await runTripEventConsumer({
      kafka,
      producer,
      groupId: 'notifier',
      log,
      fromBeginning: false,
      handle: (event) => notify(redis, event),
    });
    return {
      ready: () => consumer.isRunning() && redis.status === 'ready',
      closers: [() => redis.quit(), () => consumer.stop()],
    };
  });
}
