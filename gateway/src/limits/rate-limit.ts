import type Redis from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  RLWrapperTimeouts,
} from 'rate-limiter-flexible';
import type { Logger } from '@rideshare/common';

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the next request would be admitted (for Retry-After). */
  retryAfterSeconds: number;
}

/** Counts one request against `limit` per window for `key`, and says whether it may go on. */
export type RateLimiter = (key: string, limit: number) => Promise<RateLimitDecision>;

/**
 * A sliding log in Redis: one sorted-set entry per admitted request, scored by Redis's own clock (one
 * clock for every gateway instance). A request is admitted only if fewer than `limit` entries are
 * younger than the window, so no span of the window's length ever holds more than `limit`, and the
 * whole budget can still be spent at once. rate-limiter-flexible only counts in fixed windows per
 * key (each opened by its first request), which admit 2x the limit across a window's end; a token
 * bucket or its BurstyRateLimiter bounds the average rate but admits the burst allowance plus the
 * refill within 60 s, and fixed windows cannot bound every 60 s without shrinking the burst (see the
 * insurance below). So we keep its Redis limiter, insurance and timeouts, and give it this script
 * through its `customIncrTtlLuaScript` hook. Its
 * arguments: ARGV[1] points to consume, ARGV[3] the limit, ARGV[4] the window in seconds; it
 * answers what the library expects: {points consumed with this request, ms until a slot frees}.
 * A refused request is not logged, so a client that stops is free again a window after its last
 * admitted request. The member is `<ms>:<count>`: unique, as entries of one ms are never removed
 * between two requests of that ms.
 */
const SLIDING_LOG_SCRIPT = `
local cost = tonumber(ARGV[1])
local limit = tonumber(ARGV[3])
local window = tonumber(ARGV[4]) * 1000
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local admitted = count + cost <= limit
if admitted then
  for i = 1, cost do redis.call('ZADD', KEYS[1], now, now .. ':' .. (count + i)) end
  redis.call('PEXPIRE', KEYS[1], window)
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = window
if oldest[2] then wait = tonumber(oldest[2]) + window - now end
return {count + cost, wait}
`;

/**
 * The in-process limit used while Redis is away: fixed windows (all RateLimiterMemory offers) of
 * half the limit, as any span of one window's length overlaps at most two of them, so no 60 s sees
 * more than the limit here either; the price is that an outage halves the burst and the sustained
 * rate. It counts per gateway instance: N instances admit up to N x the limit during an outage. We
 * do not divide by a configured instance count: while Redis is away nothing says how many peers are
 * up, a static count goes stale with autoscaling, and a count set too high would refuse legitimate
 * traffic. A limit of 1 keeps 1 per window (2 in the worst 60 s) rather than refusing everything.
 * Neither count sees the other: in the minute Redis goes away or comes back, a key can get its
 * Redis budget and its in-process one.
 */
export const insuranceLimiter = (limit: number, windowSeconds: number) =>
  new RateLimiterMemory({
    keyPrefix: 'insurance',
    points: Math.max(1, Math.floor(limit / 2)),
    duration: windowSeconds,
  });

export interface RateLimiterOptions {
  /** Prefix of every key (the deployment's REDIS_NAMESPACE), before `ratelimit:`. */
  prefix?: string;
  windowSeconds?: number;
  /** A Redis slower than this counts as away for that request (the in-process limit decides). */
  timeoutMs?: number;
}

const decide = (res: RateLimiterRes, allowed: boolean, limit: number): RateLimitDecision => ({
  allowed,
  limit,
  remaining: Math.max(0, res.remainingPoints),
  retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
});

/**
 * Per-key limits counted in Redis, so every gateway instance counts the same requests
 * (`<prefix>ratelimit:<key>`). It never fails open: while Redis is away (not connected, erring or
 * slower than `timeoutMs`) each instance enforces the in-process limit above, and should even that
 * fail the request is refused. A request that timed out may still be counted in Redis later: it
 * then counts twice, which errs on the safe side.
 */
export function createRateLimiter(
  redis: Redis,
  log: Logger,
  { prefix = '', windowSeconds = 60, timeoutMs = 500 }: RateLimiterOptions = {},
): RateLimiter {
  // One library limiter per limit value (there are two: identities and anonymous addresses). The
  // library defines its script as a command of `redis`: another RateLimiterRedis on the same client
  // would replace it with its own.
  const limiters = new Map<number, RLWrapperTimeouts>();
  const limiterFor = (limit: number) => {
    let limiter = limiters.get(limit);
    if (!limiter) {
      const store = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${prefix}ratelimit`,
        points: limit,
        duration: windowSeconds,
        customIncrTtlLuaScript: SLIDING_LOG_SCRIPT,
        rejectIfRedisNotReady: true, // straight to the insurance, without waiting on a dead socket
        insuranceLimiter: insuranceLimiter(limit, windowSeconds),
      });
      limiter = new RLWrapperTimeouts({ limiter: store, timeoutMs });
      limiters.set(limit, limiter);
    }
    return limiter;
  };
  watchRedis(redis, log);
  return async (key, limit) => {
    try {
      return decide(await limiterFor(limit).consume(key), true, limit);
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return decide(outcome, false, limit);
      log.error('rate limiter failed; refusing the request', {
        error: outcome instanceof Error ? outcome.message : String(outcome),
      });
      return { allowed: false, limit, remaining: 0, retryAfterSeconds: 1 };
    }
  };
}

/** Says once when limits fall back to process memory, and once when Redis counts them again. */
function watchRedis(redis: Redis, log: Logger) {
  let away = false;
  const changed = (nowAway: boolean) => {
    if (nowAway === away) return;
    away = nowAway;
    if (away) log.warn('Redis is away: rate limits are counted in this process (half the limit)');
    else log.notice('Redis is back: rate limits are counted in Redis again');
  };
  redis.on('close', () => changed(true));
  redis.on('ready', () => changed(false));
}
