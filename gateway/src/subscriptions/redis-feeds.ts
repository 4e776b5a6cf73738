import Redis from 'ioredis';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { liveSignalSchema, type LiveSignal, type Logger } from '@rideshare/common';

/**
 * Redis channels shared by every subscription of this gateway. graphql-redis-subscriptions keeps one
 * Redis SUBSCRIBE per channel however many clients watch it, and unsubscribes with the last one, so a
 * gateway only receives the channels its own clients watch. Messages are live signals
 * (common/src/live-signal.ts); anything else is dropped with a warning, never delivered.
 * Channels are the live templates' names inside the deployment's namespace: `prefix` (REDIS_NAMESPACE's
 * `<ns>:`) goes before each one here, in one place, as the notifier's publishLive does.
 */
export function createRedisFeeds(redisUrl: string, log: Logger, prefix = '') {
  const options = { maxRetriesPerRequest: null, enableReadyCheck: true };
  const publisher = new Redis(redisUrl, options);
  const subscriber = new Redis(redisUrl, options);
  for (const client of [publisher, subscriber])
    client.on('error', (err) => log.warn('redis error', { error: err.message }));
  const pubsub = new RedisPubSub({
    publisher,
    subscriber,
    deserializer: (source) => {
      try {
        return JSON.parse(source.toString()) as unknown;
      } catch {
        return undefined;
      }
    },
  });

  // Signals published while the connection was down are lost. Once ioredis has subscribed again (its
  // SUBSCRIBE goes out right after "ready"; a PING answered after it proves it done), every listener is
  // told, so that a resumable stream reads its entity's state again and fills what it missed.
  const reconnectListeners = new Set<() => void>();
  let disconnected = false;
  subscriber.on('close', () => (disconnected = true));
  subscriber.on('ready', () => {
    if (!disconnected) return;
    disconnected = false;
    setImmediate(() => {
      subscriber.ping().then(
        () => {
          log.info('redis subscriptions restored', { listeners: reconnectListeners.size });
          for (const listener of reconnectListeners) listener();
        },
        (err: unknown) => log.warn('redis ping after reconnect failed', { error: String(err) }),
      );
    });
  });

  return {
    /**
     * Listens on one channel; resolves once Redis confirmed, with the function that stops listening.
     * `onReconnect` runs when the subscription is back after the connection to Redis was lost.
     */
    async subscribe(
      name: string,
      onSignal: (signal: LiveSignal) => void,
      onReconnect?: () => void,
    ): Promise<() => void> {
      const channel = prefix + name;
      const id = await pubsub.subscribe(channel, (message: unknown) => {
        const parsed = liveSignalSchema.safeParse(message);
        if (parsed.success) onSignal(parsed.data);
        else log.warn('ignoring malformed live signal', { channel, issue: parsed.error.issues[0]?.message });
      });
      if (onReconnect) reconnectListeners.add(onReconnect);
      return () => {
        if (onReconnect) reconnectListeners.delete(onReconnect);
        pubsub.unsubscribe(id);
      };
    },
    ready: () => subscriber.status === 'ready',
    close: async () => {
      await pubsub.close();
    },
  };
}

export type RedisFeeds = ReturnType<typeof createRedisFeeds>;
