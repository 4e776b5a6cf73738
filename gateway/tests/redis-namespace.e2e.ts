import crypto from 'node:crypto';
import Redis from 'ioredis';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { readInfraConfig, readRedisPrefix } from '@rideshare/common';
import {
  places,
  seedIfEmpty,
  startService,
  startTestSystem,
  tripsApi,
  waitFor,
  waitForWorkersReady,
  type TestSystem,
} from '@rideshare/testing';
import { dataOf, gql, record, request, wsUrl } from './security-helpers';

/**
 * REDIS_NAMESPACE end to end: one test system (gateway, subgraphs and the notifier) started with its
 * own namespace on the shared Redis. Live signals go out and are listened for on `<ns>:trip:<code>`,
 * never on the bare channel; persisted queries and rate-limit counts are kept under `<ns>:`.
 */

const RUN = crypto.randomBytes(3).toString('hex');
const NS = `ns${RUN}`;
const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

describe('REDIS_NAMESPACE', () => {
  let system: TestSystem;
  let redis: Redis;
  let watcher: Redis;
  const clients: Client[] = [];
  /** Every message on any channel ending in the watched trip's name, as [channel, message]. */
  const seen: Array<[string, string]> = [];

  const numsub = async (channel: string) =>
    Number(((await redis.call('PUBSUB', 'NUMSUB', channel)) as [string, number | string])[1]);

  beforeAll(async () => {
    system = await startTestSystem({ REDIS_NAMESPACE: NS }, { workers: false });
    await system.start('notifier');
    await waitForWorkersReady(system);
    await seedIfEmpty(system.gatewayUrl, await system.adminAuth());
    redis = new Redis(readInfraConfig().redisUrl, { maxRetriesPerRequest: 3 });
    watcher = new Redis(readInfraConfig().redisUrl, { maxRetriesPerRequest: 3 });
    watcher.on('pmessage', (_pattern, channel: string, message: string) => seen.push([channel, message]));
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map(async (c) => c.dispose()));
    watcher?.disconnect();
    redis?.disconnect();
    await system?.stop();
  });

  it('should read the namespace strictly: empty is none, anything but 1-40 of [a-z0-9_-] fails naming the variable', () => {
    expect(readRedisPrefix({})).toBe('');
    expect(readRedisPrefix({ REDIS_NAMESPACE: '' })).toBe('');
    expect(readRedisPrefix({ REDIS_NAMESPACE: 'prod-eu_1' })).toBe('prod-eu_1:');
    for (const bad of ['Prod', 'a:b', '-x', 'a b', 'x'.repeat(41), 'trip*'])
      expect(() => readRedisPrefix({ REDIS_NAMESPACE: bad })).toThrow(
        `Invalid configuration: REDIS_NAMESPACE must be 1-40 of a-z, 0-9, "_" or "-", starting with a letter or digit, got "${bad}"`,
      );
  });

  it('should refuse to start the gateway or the notifier with a bad REDIS_NAMESPACE, naming it', async () => {
    for (const [name, entry] of [
      ['gateway', 'gateway/src/index.ts'],
      ['notifier', 'events/src/workers/notifier.ts'],
    ] as const) {
      const lines: string[] = [];
      await expect(
        startService(
          `${name}-bad-namespace`,
          entry,
          { ...system.envFor(name), REDIS_NAMESPACE: 'Not:Valid' },
          (l) => lines.push(l),
        ),
      ).rejects.toThrow(/exited with code 1 before it was ready/);
      expect(lines.join('\n')).toMatch(/REDIS_NAMESPACE must be 1-40 of a-z/);
    }
  });

  it(`should listen and publish a trip's live signals on ${NS}:trip:<code> only, and deliver them`, async () => {
    const trips = tripsApi(system);
    const trip = await trips.request({
      passengerCode: 'PX1001',
      source: places.microsoft,
      destination: places.redmond,
      type: 'NORMAL',
    });
    const channel = `trip:${trip.code}`;
    await watcher.psubscribe(`*${channel}`);

    const client = createClient({
      url: wsUrl(system.gatewayUrl),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: () => system.adminAuth(),
    });
    clients.push(client);
    const updates = record<{ version: number; event: string }>(
      client,
      'tripUpdated',
      'subscription ($code: ID!) { tripUpdated(code: $code, afterVersion: 0) { version event } }',
      { code: trip.code },
    );
    await updates.received(1); // replayed from the trip's history
    await waitFor(async () => (await numsub(`${NS}:${channel}`)) === 1, {
      what: `the gateway to listen on ${NS}:${channel}`,
    });
    expect(await numsub(channel)).toBe(0);

    // The trips service logs the cancel, Kafka carries it, the notifier signals it.
    expect((await trips.cancel(trip.code, 'namespace test')).errors).toBeUndefined();
    await updates.received(2);
    expect(updates.values).toEqual([
      { version: 1, event: 'TRIP_REQUESTED' },
      { version: 2, event: 'TRIP_ABORTED' },
    ]);
    expect(updates.nextErrors).toEqual([]);
    // Every signal of the trip (the request's may come after the pattern subscribed) went out
    // under the namespace, none on the bare channel.
    const versionsSeen = () => seen.map(([, m]) => (JSON.parse(m) as { version: number }).version);
    await waitFor(() => versionsSeen().includes(2), { what: 'the signal seen by the pattern subscriber' });
    expect(new Set(seen.map(([c]) => c))).toEqual(new Set([`${NS}:${channel}`]));
    // The stream ended with the trip: nothing listens any more, on either name.
    await updates.settled();
    await waitFor(async () => (await numsub(`${NS}:${channel}`)) === 0, {
      what: `${NS}:${channel} to have no subscriber`,
    });
    expect(await numsub(channel)).toBe(0);
  });

  it(`should keep persisted queries and rate-limit counts under ${NS}:`, async () => {
    const code = `NS${RUN.toUpperCase()}`;
    const token = await system.token('admin', code);
    const query = `query Ns${RUN} { drivers(limit: 1) { code } }`;
    const hash = sha256(query);
    const register = await request(system.gatewayUrl, {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
    });
    expect(dataOf(register)).toEqual({ drivers: [{ code: 'AA100' }] });
    // Apollo puts its own prefix between ours and the hash.
    await waitFor(async () => (await redis.keys(`${NS}:apq:*${hash}`)).length === 1, {
      what: 'the persisted query stored under the namespace',
    });
    expect(await redis.keys(`apq:*${hash}`)).toEqual([]);

    dataOf(await gql(system.gatewayUrl, '{ __typename }', undefined, token));
    expect(await redis.zcard(`${NS}:ratelimit:id:admin:${code}`)).toBe(2);
    expect(await redis.exists(`ratelimit:id:admin:${code}`)).toBe(0);
  });
});
