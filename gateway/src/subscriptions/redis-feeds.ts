import Redis from 'ioredis';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { tripEventSchema } from '@rideshare/events';
import type { Logger } from '@rideshare/common';

/** What a subscription needs from one notifier message. */
export interface TripSignal {
  code: string;
  version: number;
  final: boolean;
}

/** The notifier's channels (events/src/workers/notifier.ts). */
export const channelOf = {
  trip: (code: string) => `trip:${code}`,
  driverOffers: (driverCode: string) => `driver-offers:${driverCode}`,
};

/**
 * Redis channels shared by every subscription of this gateway. graphql-redis-subscriptions keeps one
 * Redis SUBSCRIBE per channel however many clients watch it, and unsubscribes with the last one, so a
 * gateway only receives the trips and drivers its own clients watch.
 */
export function createRedisFeeds(redisUrl: string, log: Logger) {
  const options = { maxRetriesPerRequest: null, enableReadyCheck: true };
  const publisher = new Redis(redisUrl, options);
  const subscriber = new Redis(redisUrl, options);
  for (const client of [publisher, subscriber])
    client.on('error', (err) => log.warn('redis error', { error: err.message }));
  const pubsub = new RedisPubSub({
    publisher,
    subscriber,
    // Messages are validated here; anything malformed is dropped with a warning, never delivered.
    deserializer: (source) => {
      try {
        return JSON.parse(source.toString()) as unknown;
      } catch {
        return undefined;
      }
    },
  });

  const signalOf = (message: unknown, channel: string): TripSignal | null => {
    const parsed = tripEventSchema.safeParse(message);
    if (!parsed.success) {
      log.warn('ignoring malformed notifier message', { channel, issue: parsed.error.issues[0]?.message });
      return null;
    }
    const { data } = parsed.data;
    return {
      code: data.trip.code,
      version: data.version,
      final: data.event === 'TRIP_COMPLETED' || data.event === 'TRIP_ABORTED',
    };
  };

  const subscribe = async (channel: string, onSignal: (signal: TripSignal) => void): Promise<() => void> => {
    const id = await pubsub.subscribe(channel, (message: unknown) => {
      const signal = signalOf(message, channel);
      if (signal) onSignal(signal);
    });
    return () => pubsub.unsubscribe(id);
  };

  return {
    subscribeTrip: (code: string, onSignal: (signal: TripSignal) => void) =>
      subscribe(channelOf.trip(code), onSignal),
    subscribeOffers: (driverCode: string, onSignal: (signal: TripSignal) => void) =>
      subscribe(channelOf.driverOffers(driverCode), onSignal),
    ready: () => subscriber.status === 'ready',
    close: async () => {
      await pubsub.close();
    },
  };
}

export type RedisFeeds = ReturnType<typeof createRedisFeeds>;
