import type Redis from 'ioredis';
import type { Logger } from '@rideshare/common';

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the current window ends (for Retry-After). */
  retryAfterSeconds: number;
}

/**
 * A fixed one-minute window per key in Redis (INCR + EXPIRE), so every gateway instance counts the
 * same requests. When Redis does not answer, requests are let through (and logged): an outage of the
 * limiter must not become an outage of the API.
 */
export function createRateLimiter(redis: Redis, log: Logger, windowSeconds = 60) {
  return async (key: string, limit: number): Promise<RateLimitDecision> => {
    const now = Date.now();
    const window = Math.floor(now / (windowSeconds * 1000));
    const redisKey = `ratelimit:${key}:${window}`;
    const retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * windowSeconds * 1000 - now) / 1000));
    try {
      const results = await redis
        .multi()
        .incr(redisKey)
        .expire(redisKey, windowSeconds + 1)
        .exec();
      const count = Number(results?.[0]?.[1] ?? 0);
      return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), retryAfterSeconds };
    } catch (err) {
      log.warn('rate limiter unavailable; letting the request through', {
        error: err instanceof Error ? err.message : String(err),
      });
      return { allowed: true, limit, remaining: limit, retryAfterSeconds };
    }
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
