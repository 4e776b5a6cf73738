import type { RateLimiter } from '../limits/rate-limit';
import { countRateLimitRejection } from '../metrics';
import type { PolicyPlugin } from './plugin';
import { proceed, refuse } from './refusal';

/**
 * A budget for any 60 s per identity, or per address for anonymous callers (who get a smaller one),
 * counted in Redis so every gateway instance shares it (limits/rate-limit.ts: a sliding window, and
 * an in-process limit while Redis is away). Every request reports what is left.
 */
export function useRateLimit(
  limiter: RateLimiter,
  limits: { perMinute: number; anonymousPerMinute: number },
): PolicyPlugin {
  return {
    name: 'rate-limit',
    async onRequest(caller) {
      const decision = caller.identity
        ? await limiter(`id:${caller.identity.role}:${caller.identity.code}`, limits.perMinute)
        : await limiter(`ip:${caller.address}`, limits.anonymousPerMinute);
      const headers = {
        'x-ratelimit-limit': String(decision.limit),
        'x-ratelimit-remaining': String(decision.remaining),
      };
      if (decision.allowed) return proceed(headers);
      countRateLimitRejection(caller.identity ? 'identified' : 'anonymous');
      return refuse({
        code: 'RATE_LIMITED',
        message: `Rate limit of ${decision.limit} requests per minute exceeded; retry in ${decision.retryAfterSeconds} s`,
        httpStatus: 429,
        headers: { ...headers, 'retry-after': String(decision.retryAfterSeconds) },
      });
    },
  };
}
