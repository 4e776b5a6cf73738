import net from 'node:net';
import Redis from 'ioredis';
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '@rideshare/common';
import { createRateLimiter, insuranceLimiter } from '../src/limits/rate-limit';

// The limiter without Redis: the in-process insurance on a fake clock (the sliding log in Redis is
// shown against a real Redis in rate-limit.e2e.ts), and the limiter refusing, not failing open, when
// Redis is unreachable or hangs.

const LIMIT = 20;
const WINDOW_MS = 60_000;

/** The most requests admitted in any [t, t + 60 s). */
function busiestWindow(admitted: number[]): number {
  let most = 0;
  for (const [i, start] of admitted.entries())
    most = Math.max(most, admitted.slice(i).filter((t) => t < start + WINDOW_MS).length);
  return most;
}

/** Sends `count` requests at each time of `schedule` (ms from now), on a fake clock; when each was admitted. */
async function run(limiter: RateLimiterAbstract, schedule: Array<[at: number, count: number]>) {
  const start = Date.now();
  const admitted: number[] = [];
  for (const [at, count] of schedule) {
    jest.advanceTimersByTime(start + at - Date.now());
    const outcomes = await Promise.allSettled(Array.from({ length: count }, () => limiter.consume('k')));
    for (const o of outcomes) if (o.status === 'fulfilled') admitted.push(at);
  }
  return admitted;
}

/** One request opens a window; bursts just before and just after each of its ends. */
const straddling: Array<[number, number]> = [
  [0, 1],
  [WINDOW_MS - 1, 3 * LIMIT],
  [WINDOW_MS, 3 * LIMIT],
  [WINDOW_MS + 1, 3 * LIMIT],
  [2 * WINDOW_MS - 1, 3 * LIMIT],
  [2 * WINDOW_MS, 3 * LIMIT],
  [3 * WINDOW_MS - 1, 3 * LIMIT],
  [3 * WINDOW_MS, 3 * LIMIT],
];

/** A seeded hammering: 0–5 requests every 0–3 s for ten minutes. */
function hammering(seed: number): Array<[number, number]> {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const schedule: Array<[number, number]> = [];
  for (let at = 0; at < 10 * WINDOW_MS; at += Math.floor(next() * 3_000))
    schedule.push([at, Math.floor(next() * 6)]);
  return schedule;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, notice() {} };

describe('the in-process insurance limiter (used while Redis is away)', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2030-01-01T00:00:30.123Z') }));
  afterEach(() => jest.useRealTimers());

  it('should let a plain fixed window admit almost twice the limit across its end (what we avoid)', async () => {
    const fixed = new RateLimiterMemory({ points: LIMIT, duration: WINDOW_MS / 1000 });
    expect(busiestWindow(await run(fixed, straddling))).toBe(2 * LIMIT - 1);
  });

  it('should never admit more than the limit in any 60 s, however a burst straddles its windows', async () => {
    const admitted = await run(insuranceLimiter(LIMIT, WINDOW_MS / 1000), straddling);
    expect(busiestWindow(admitted)).toBeLessThanOrEqual(LIMIT);
    // Half the limit per window: the first window's 10, then 10 just after each of its ends.
    expect(admitted.filter((t) => t < WINDOW_MS)).toHaveLength(LIMIT / 2);
    expect(admitted.filter((t) => t === WINDOW_MS)).toHaveLength(LIMIT / 2);
  });

  it.each([1, 2, 3, 4, 5])(
    'should never admit more than the limit in any 60 s of random hammering (seed %i)',
    async (seed) => {
      const admitted = await run(insuranceLimiter(LIMIT, WINDOW_MS / 1000), hammering(seed));
      expect(busiestWindow(admitted)).toBeLessThanOrEqual(LIMIT);
      // …and still serves: at least half the limit every minute.
      expect(admitted.length).toBeGreaterThanOrEqual((LIMIT / 2) * 9);
    },
  );
});

describe('createRateLimiter without a working Redis', () => {
  const clients: Redis[] = [];
  const sockets: net.Socket[] = [];
  const servers: net.Server[] = [];
  afterAll(async () => {
    // The server side first: a client waits for its socket to close before it lets go.
    sockets.forEach((s) => s.destroy());
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await Promise.all(
      clients.map(async (c) => {
        const ended = c.status === 'end' ? undefined : new Promise((r) => c.once('end', r));
        c.disconnect();
        await ended;
      }),
    );
  });

  /** Consumes `count` times for one key; the decisions in order. */
  const burst = async (limiter: ReturnType<typeof createRateLimiter>, key: string, count: number) => {
    const decisions = [];
    for (let i = 0; i < count; i++) decisions.push(await limiter(key, 6));
    return decisions;
  };
  const expectInsuranceDecisions = (decisions: Awaited<ReturnType<typeof burst>>) => {
    expect(decisions.map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
      [false, 0],
      [false, 0],
    ]);
    for (const d of decisions) expect(d.limit).toBe(6);
    for (const d of decisions.filter((d) => !d.allowed)) {
      expect(d.retryAfterSeconds).toBeGreaterThanOrEqual(55);
      expect(d.retryAfterSeconds).toBeLessThanOrEqual(60);
    }
  };

  it('should refuse beyond the in-process limit (half of 6 a minute) while Redis is unreachable, and say so once', async () => {
    const warnings: string[] = [];
    // Nothing listens on port 1; no retries, so the client stays down.
    const redis = new Redis('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    clients.push(redis);
    const limiter = createRateLimiter(redis, { ...silent, warn: (m) => warnings.push(m) });
    await new Promise((r) => redis.once('end', r));
    expectInsuranceDecisions(await burst(limiter, 'id:passenger:P1', 6));
    // Another key has its own count.
    expect(await limiter('id:passenger:P2', 6)).toMatchObject({ allowed: true, remaining: 2 });
    expect(warnings).toEqual(['Redis is away: rate limits are counted in this process (half the limit)']);
  });

  it('should count in process when Redis accepts the connection but never answers (timeout)', async () => {
    const server = net.createServer((socket) => void sockets.push(socket)); // accepts, never replies
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    // Without the ready check (and client info) the client is ready as soon as the socket is open.
    const redis = new Redis(port, '127.0.0.1', {
      enableReadyCheck: false,
      disableClientInfo: true,
      maxRetriesPerRequest: 1,
    });
    redis.on('error', () => undefined);
    clients.push(redis);
    await new Promise((r) => redis.once('ready', r));
    const limiter = createRateLimiter(redis, silent, { timeoutMs: 100 });
    const started = Date.now();
    expectInsuranceDecisions(await burst(limiter, 'ip:10.0.0.1', 6));
    expect(Date.now() - started).toBeLessThan(6 * 1_000);
  });
});
