import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import Redis from 'ioredis';
import { createLogger, mintToken, readAuthConfig, readInfraConfig } from '@rideshare/common';
import { startService, waitFor, type RunningService } from '@rideshare/testing';
import { createRateLimiter, type RateLimitDecision } from '../src/limits/rate-limit';
import { errorsOf, gql } from './security-helpers';

/**
 * The rate limiter against real Redis: the sliding log in the stack's Redis (a short window, so a
 * burst can straddle where a fixed window would have ended), and a gateway on a throw-away
 * redis-server that is killed mid-run: requests beyond the in-process limit are still refused.
 */

const RUN = crypto.randomBytes(3).toString('hex');
const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));

describe('the sliding log in Redis', () => {
  const prefix = `t${RUN}:`;
  const redis = new Redis(readInfraConfig().redisUrl, { maxRetriesPerRequest: 3, enableOfflineQueue: true });
  const WINDOW_S = 4;
  const LIMIT = 5;

  // Before it is ready the limiter counts in process (the insurance), which is not under test here.
  beforeAll(() => (redis.status === 'ready' ? undefined : new Promise((r) => redis.once('ready', r))));

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it(`should never admit more than ${LIMIT} in any ${WINDOW_S} s, even for a burst across where a fixed window would end`, async () => {
    const limiter = createRateLimiter(redis, createLogger('rate-limit-e2e', 'error'), {
      prefix,
      windowSeconds: WINDOW_S,
    });
    const admitted: number[] = [];
    const burst = async (count: number) => {
      const decisions: RateLimitDecision[] = [];
      for (let i = 0; i < count; i++) {
        const decision = await limiter('id:passenger:SLIDE', LIMIT);
        if (decision.allowed) admitted.push(Date.now());
        decisions.push(decision);
      }
      return decisions;
    };
    const allowed = (decisions: RateLimitDecision[]) => decisions.filter((d) => d.allowed).length;

    const t0 = Date.now();
    expect(await burst(1)).toEqual([{ allowed: true, limit: LIMIT, remaining: 4, retryAfterSeconds: 4 }]);
    await sleepUntil(t0 + 3_000);
    expect((await burst(4)).map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 3],
      [true, 2],
      [true, 1],
      [true, 0],
    ]);
    // A fixed window opened at t0 has ended: it would admit 5 more here. Only the request from t0
    // has left the last 4 s, so one is admitted.
    await sleepUntil(t0 + 4_400);
    const straddling = await burst(LIMIT);
    expect(allowed(straddling)).toBe(1);
    for (const refused of straddling.filter((d) => !d.allowed)) {
      expect(refused).toMatchObject({ allowed: false, limit: LIMIT, remaining: 0 });
      // Until the requests of t0 + 3 s leave the window.
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(3);
    }
    // Once those have left it, four more.
    await sleepUntil(t0 + 7_400);
    expect(allowed(await burst(LIMIT))).toBe(4);

    // Seen from here (Redis's clock decides; allow 100 ms for the round trips).
    for (const [i, start] of admitted.entries())
      expect(admitted.slice(i).filter((t) => t < start + WINDOW_S * 1_000 - 100).length).toBeLessThanOrEqual(
        LIMIT,
      );
    // One sorted set, under the prefix, with an entry per admitted request still in the window.
    expect(await redis.keys(`${prefix}*`)).toEqual([`${prefix}ratelimit:id:passenger:SLIDE`]);
    expect(await redis.zcard(`${prefix}ratelimit:id:passenger:SLIDE`)).toBe(LIMIT);
  });
});

describe('a gateway whose Redis goes away', () => {
  const LIMIT = 6;
  let redisServer: ChildProcess | undefined;
  let gateway: RunningService | undefined;
  let redis: Redis | undefined;
  const logs: string[] = [];

  const freePort = () =>
    new Promise<number>((resolve, reject) => {
      const probe = net.createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });

  let env: NodeJS.ProcessEnv;
  const token = (code: string) => mintToken(readAuthConfig(env), { role: 'passenger', code });
  /** `count` requests one after the other as `code`; their statuses. */
  const send = async (code: string, count: number) => {
    const auth = await token(code);
    const results = [];
    for (let i = 0; i < count; i++) results.push(await gql(gateway!.url, '{ __typename }', undefined, auth));
    return results;
  };

  beforeAll(async () => {
    const port = await freePort();
    redisServer = spawn(
      'redis-server',
      ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    redisServer.once('error', (err) => logs.push(`redis-server: ${err.message}`));
    redis = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    redis.on('error', () => undefined);
    await waitFor(async () => (await redis!.ping()) === 'PONG', {
      timeoutMs: 15_000,
      what: `a throw-away redis-server on port ${port} (${logs.join('; ')})`,
    });
    env = {
      ...process.env,
      LOG_LEVEL: 'warn',
      PORT: '0',
      APP_MODE: 'local',
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_NAMESPACE: '',
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
      // No subgraph is asked for `{ __typename }`; nothing listens here.
      DRIVERS_URL: 'http://127.0.0.1:9/graphql',
      PASSENGERS_URL: 'http://127.0.0.1:9/graphql',
      TRIPS_URL: 'http://127.0.0.1:9/graphql',
    };
    gateway = await startService('gateway-redis-away', 'gateway/src/index.ts', env, (line) =>
      logs.push(line),
    );
    // Until the limiter's own Redis connection is up, requests count in-process (the insurance): wait
    // until one is counted in Redis, with an identity of its own, so the test starts from Redis.
    await waitFor(
      async () => {
        await send(`RLWARM${RUN}`, 1);
        return (await redis!.zcard(`ratelimit:id:passenger:RLWARM${RUN}`)) > 0;
      },
      { timeoutMs: 30_000, what: 'the gateway to count requests in Redis' },
    );
  });

  afterAll(async () => {
    if (redis && redis.status !== 'end') redis.disconnect();
    await gateway?.stop();
    if (redisServer?.exitCode === null) redisServer.kill('SIGKILL');
  });

  it(`should admit ${LIMIT} a minute counted in Redis, then, once Redis is killed, refuse beyond half of that per instance instead of letting everything through`, async () => {
    const counted = await send(`RLUP${RUN}`, LIMIT + 1);
    expect(counted.map((r) => r.status)).toEqual([...Array<number>(LIMIT).fill(200), 429]);
    expect(await redis!.zcard(`ratelimit:id:passenger:RLUP${RUN}`)).toBe(LIMIT);
    redis!.disconnect(); // while its server still answers, so nothing is left reconnecting

    redisServer!.kill('SIGKILL');
    await waitFor(() => logs.some((l) => l.includes('Redis is away')), {
      timeoutMs: 15_000,
      what: 'the gateway to notice that Redis is gone',
    });

    const results = await send(`RLDOWN${RUN}`, LIMIT);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 429, 429, 429]);
    expect(results.map((r) => r.headers.get('x-ratelimit-remaining'))).toEqual([
      '2',
      '1',
      '0',
      '0',
      '0',
      '0',
    ]);
    for (const refused of results.filter((r) => r.status === 429)) {
      const [error, ...more] = errorsOf(refused);
      expect(more).toEqual([]);
      expect(error?.extensions).toEqual({ code: 'RATE_LIMITED' });
      expect(error?.message).toMatch(
        new RegExp(`^Rate limit of ${LIMIT} requests per minute exceeded; retry in \\d+ s$`),
      );
      expect(refused.headers.get('x-ratelimit-limit')).toBe(String(LIMIT));
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(55);
    }
    // The gateway itself carries on (its health says Redis is not there).
    const health = await fetch(gateway!.url.replace(/\/graphql$/, '/health/ready'));
    expect(((await health.json()) as { redis: boolean }).redis).toBe(false);
  });
});
