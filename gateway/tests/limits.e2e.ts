import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { MongoClient } from 'mongodb';
import { readInfraConfig } from '@rideshare/common';
import {
  seedIfEmpty,
  startService,
  startTestSystem,
  tripsApi,
  waitFor,
  type RunningService,
  type TestSystem,
} from '@rideshare/testing';
import { RawSocket, dataOf, errorsOf, gql, request, type HttpResult } from './security-helpers';

/**
 * The gateway's limits and production mode. One test system, in production mode (its subgraphs
 * share SUBGRAPH_IDENTITY_SECRET with every gateway), plus extra gateways on the same subgraphs and
 * Redis: two with a low rate limit and WebSocket limits, one in safelist mode.
 */

const RUN = crypto.randomBytes(3).toString('hex').toUpperCase();
const ALLOWED_ORIGIN = 'https://app.example.com';
const RATE_LIMIT = 20;
const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

const SAFE_QUERY = 'query SafeDrivers { drivers(limit: 2) { code } }';
const SAFE_SUBSCRIPTION =
  'subscription SafeTrip($code: ID!) { tripUpdated(code: $code, afterVersion: 0) { version } }';

describe('limits, persisted queries and production mode', () => {
  let system: TestSystem;
  /** Two gateways with RATE_LIMIT_PER_MINUTE=20 and two subscriptions / two connections per socket / identity. */
  let limited: [RunningService, RunningService];
  let safelisted: RunningService;
  let redis: Redis;
  let manifestDir: string;
  /** A trip that stays REQUESTED (no workers): tripUpdated replays its first update and stays open. */
  let tripCode: string;
  const extraGateways: RunningService[] = [];
  const sockets: RawSocket[] = [];
  const gatewayLogs: string[] = [];

  const secrets = {
    APP_MODE: 'production',
    AUTH_JWT_SECRET: crypto.randomBytes(24).toString('base64url'),
    SUBGRAPH_IDENTITY_SECRET: crypto.randomBytes(24).toString('base64url'),
    GATEWAY_CORS_ORIGINS: ALLOWED_ORIGIN,
  };

  const startGateway = async (name: string, env: NodeJS.ProcessEnv) => {
    const gateway = await startService(
      name,
      'gateway/src/index.ts',
      { ...system.envFor('gateway'), ...env },
      (line) => gatewayLogs.push(`[${name}] ${line}`),
    );
    extraGateways.push(gateway);
    return gateway;
  };
  const open = async (url: string) => {
    const socket = await RawSocket.open(url);
    sockets.push(socket);
    return socket;
  };
  const tokenFor = (role: 'passenger' | 'driver' | 'admin', code: string) => system.token(role, code);

  beforeAll(async () => {
    system = await startTestSystem(secrets, { workers: false });
    const admin = await system.adminAuth();
    await seedIfEmpty(system.gatewayUrl, admin);
    tripCode = (await tripsApi(system).requestAny()).code;

    manifestDir = fs.mkdtempSync(path.join(os.tmpdir(), 'safelist-'));
    const manifest = path.join(manifestDir, 'manifest.json');
    fs.writeFileSync(
      manifest,
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [
          { id: sha256(SAFE_QUERY), name: 'SafeDrivers', type: 'query', body: SAFE_QUERY },
          { id: sha256(SAFE_SUBSCRIPTION), name: 'SafeTrip', type: 'subscription', body: SAFE_SUBSCRIPTION },
        ],
      }),
    );
    const limits = {
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '2',
      GATEWAY_WS_MAX_CONNECTIONS_PER_IDENTITY: '2',
    };
    const [first, second, third] = await Promise.all([
      startGateway('gateway-limited-1', limits),
      startGateway('gateway-limited-2', limits),
      startGateway('gateway-safelist', { GATEWAY_SAFELIST_FILE: manifest }),
    ]);
    limited = [first, second];
    safelisted = third;
    redis = new Redis(readInfraConfig().redisUrl, { maxRetriesPerRequest: 3 });
  });

  afterAll(async () => {
    sockets.forEach((s) => s.terminate());
    redis?.disconnect();
    await Promise.all(extraGateways.map((g) => g.stop()));
    if (manifestDir) fs.rmSync(manifestDir, { recursive: true, force: true });
    await system?.stop();
  });

  // -------------------------------------------------------------------------------------------

  describe('rate limit shared by two gateway instances through Redis', () => {
    /**
     * A gateway counts in Redis once its connection is up; until then it counts in process, where
     * half the limit is allowed (so fewer than RATE_LIMIT / 2 are left after one request).
     */
    const waitUntilCounting = (gateway: RunningService) =>
      waitFor(
        async () => {
          const res = await gql(
            gateway.url,
            '{ __typename }',
            undefined,
            await tokenFor('admin', `RLWARM${RUN}${gateway.port}`),
          );
          return Number(res.headers.get('x-ratelimit-remaining')) >= RATE_LIMIT / 2;
        },
        { timeoutMs: 15_000, what: `${gateway.name} to count requests in Redis` },
      );

    it(`should allow exactly ${RATE_LIMIT} requests a minute for one identity across both gateways, and answer the rest 429 with Retry-After`, async () => {
      await Promise.all(limited.map(waitUntilCounting));
      // The window slides (any 60 s), so it does not matter when in the minute the burst comes.
      const token = await tokenFor('passenger', `RL${RUN}`);
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          gql(
            limited[i % 2]!.url,
            'query ($code: ID!) { passenger(code: $code) { code } }',
            { code: `RL${RUN}` },
            token,
          ),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s !== 429 && s !== 200)).toEqual([]);
      // Each passed the gateway (the subgraph then answers NOT_FOUND: no such passenger).
      expect(statuses.filter((s) => s === 200)).toHaveLength(RATE_LIMIT);
      const refused = results.filter((r) => r.status === 429);
      expect(refused).toHaveLength(24 - RATE_LIMIT);
      for (const res of refused) {
        const [error, ...more] = errorsOf(res);
        expect(more).toEqual([]);
        expect(error?.extensions).toEqual({ code: 'RATE_LIMITED' });
        expect(error?.message).toMatch(
          new RegExp(`^Rate limit of ${RATE_LIMIT} requests per minute exceeded; retry in \\d+ s$`),
        );
        const retryAfter = Number(res.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        // Until the first of the 20 leaves the last 60 s: about a minute, as they came at once.
        expect(retryAfter).toBeGreaterThanOrEqual(50);
        expect(retryAfter).toBeLessThanOrEqual(60);
        expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
      }
      // Both instances served some of the 20: the count is shared, not per instance.
      for (const gateway of limited) {
        const served = results.filter((r, i) => limited[i % 2] === gateway && r.status === 200).length;
        expect(served).toBeGreaterThan(0);
      }

      // Operations over a WebSocket count too: the same identity is refused there as well.
      const socket = await open(limited[1].url);
      await socket.init(token);
      socket.send({ id: 'q', type: 'subscribe', payload: { query: '{ __typename }' } });
      const answer = await socket.next((m) => m.id === 'q', 'the answer over the socket');
      expect(answer).toMatchObject({
        id: 'q',
        type: 'error',
        payload: [{ extensions: { code: 'RATE_LIMITED' } }],
      });
      expect(JSON.stringify(answer.payload)).toMatch(
        `Rate limit of ${RATE_LIMIT} requests per minute exceeded`,
      );

      // Another identity is not affected.
      const other = await gql(
        limited[0].url,
        '{ __typename }',
        undefined,
        await tokenFor('passenger', `RLOTHER${RUN}`),
      );
      expect(dataOf(other)).toEqual({ __typename: 'Query' });
    });
  });

  // -------------------------------------------------------------------------------------------

  describe('automatic persisted queries in Redis', () => {
    const query = `query Apq${RUN} { drivers(limit: 1) { code } }`;
    const hash = sha256(query);
    const persisted = { persistedQuery: { version: 1, sha256Hash: hash } };
    /** Keys in Redis holding a persisted query with this hash (Apollo adds its own prefix to ours). */
    const stored = (sha: string) => redis.keys(`apq:*${sha}`);
    const send = async (url: string, body: Record<string, unknown>) =>
      request(url, {
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await tokenFor('admin', `APQ${RUN}`)}`,
        },
        body: JSON.stringify(body),
      });

    it('should answer a hash it does not know with PERSISTED_QUERY_NOT_FOUND, then register it, then serve it by hash on every gateway', async () => {
      const miss = await send(system.gatewayUrl, { extensions: persisted });
      expect(errorsOf(miss)).toMatchObject([
        { message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } },
      ]);
      expect(await stored(hash)).toEqual([]);

      const register = await send(system.gatewayUrl, { query, extensions: persisted });
      expect(dataOf(register)).toEqual({ drivers: [{ code: 'AA100' }] });
      await waitFor(async () => (await stored(hash)).length === 1, {
        what: 'the query stored in Redis',
      });

      const hit = await send(system.gatewayUrl, { extensions: persisted });
      expect(dataOf(hit)).toEqual({ drivers: [{ code: 'AA100' }] });
      // Another instance has never seen the query text: it reads it from Redis.
      const elsewhere = await send(limited[1].url, { extensions: persisted });
      expect(dataOf(elsewhere)).toEqual({ drivers: [{ code: 'AA100' }] });
    });

    it('should not let a hash be registered for another query text', async () => {
      const hijack = await send(system.gatewayUrl, {
        query: '{ passengers(limit: 200) { email } }',
        extensions: {
          persistedQuery: { version: 1, sha256Hash: sha256(`query Other${RUN} { __typename }`) },
        },
      });
      expect(hijack.status).toBe(400);
      // A client error, so production keeps its message.
      expect(errorsOf(hijack)).toEqual([
        { message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } },
      ]);
      expect(await stored(sha256(`query Other${RUN} { __typename }`))).toEqual([]);
    });
  });

  // -------------------------------------------------------------------------------------------

  describe('safelist mode (GATEWAY_SAFELIST_FILE)', () => {
    const call = async (query: string, variables?: Record<string, unknown>) =>
      gql(safelisted.url, query, variables, await tokenFor('admin', `SAFE${RUN}`));
    const expectNotSafelisted = (res: HttpResult) => {
      expect(res.status).toBe(403);
      expect(errorsOf(res)).toEqual([
        expect.objectContaining({
          message: 'This operation is not in the safelist',
          extensions: { code: 'OPERATION_NOT_SAFELISTED' },
        }),
      ]);
      expect(res.body?.data).toBeUndefined();
    };

    it('should run the operation in the manifest', async () => {
      expect(dataOf(await call(SAFE_QUERY))).toEqual({ drivers: [{ code: 'AA100' }, { code: 'AA110' }] });
    });

    it('should refuse any other operation with 403 OPERATION_NOT_SAFELISTED, even the same one spelled differently', async () => {
      expectNotSafelisted(await call('{ drivers(limit: 2) { code } }'));
      expectNotSafelisted(await call('query SafeDrivers { drivers(limit: 2) { code firstName } }'));
      expectNotSafelisted(await call(`${SAFE_QUERY} `));
      expectNotSafelisted(
        await call('mutation { setDriverAvailability(code: "AA100", isAcceptingRides: false) { code } }'),
      );
    });

    it('should hold operations sent over the WebSocket to the same safelist', async () => {
      const socket = await open(safelisted.url);
      await socket.init(await tokenFor('admin', `SAFEWS${RUN}`));
      socket.send({ id: 'safe', type: 'subscribe', payload: { query: SAFE_QUERY } });
      expect(await socket.next((m) => m.id === 'safe', 'the safelisted query')).toEqual({
        id: 'safe',
        type: 'next',
        payload: { data: { drivers: [{ code: 'AA100' }, { code: 'AA110' }] } },
      });
      socket.send({
        id: 'sub',
        type: 'subscribe',
        payload: { query: SAFE_SUBSCRIPTION, variables: { code: tripCode } },
      });
      expect(await socket.next((m) => m.id === 'sub', 'the safelisted subscription')).toEqual({
        id: 'sub',
        type: 'next',
        payload: { data: { tripUpdated: { version: 1 } } },
      });
      const refusals = [
        '{ passengers(limit: 200) { email } }',
        'mutation { setDriverAvailability(code: "AA100", isAcceptingRides: false) { code } }',
        'subscription ($code: ID!) { tripUpdated(code: $code) { version trip { passenger { email } } } }',
      ];
      for (const [i, query] of refusals.entries()) {
        socket.send({ id: `bad${i}`, type: 'subscribe', payload: { query, variables: { code: tripCode } } });
        expect(await socket.next((m) => m.id === `bad${i}`, `the answer to ${query}`)).toEqual({
          id: `bad${i}`,
          type: 'error',
          payload: [
            {
              message: 'This operation is not in the safelist',
              extensions: { code: 'OPERATION_NOT_SAFELISTED' },
            },
          ],
        });
      }
      // The refused mutation changed nothing.
      const driver = await system.query<{ driver: { isAcceptingRides: boolean } }>(
        '{ driver(code: "AA100") { isAcceptingRides } }',
      );
      expect(driver.data?.driver.isAcceptingRides).toBe(true);
    });
  });

  // -------------------------------------------------------------------------------------------

  describe('WebSocket limits', () => {
    const SUBSCRIBE = 'subscription ($code: ID!) { tripUpdated(code: $code, afterVersion: 0) { version } }';
    const subscribe = (socket: RawSocket, id: string) =>
      socket.send({ id, type: 'subscribe', payload: { query: SUBSCRIBE, variables: { code: tripCode } } });
    const answerTo = (socket: RawSocket, id: string) =>
      socket.next((m) => m.id === id, `the answer to ${id}`);
    const tooMany = (id: string) => ({
      id,
      type: 'error',
      payload: [
        {
          message: 'Too many operations on this connection (max 2)',
          extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
        },
      ],
    });
    const firstUpdate = (id: string) => ({
      id,
      type: 'next',
      payload: { data: { tripUpdated: { version: 1 } } },
    });

    it('should refuse a third subscription on one connection (max 2), and accept one again once a slot is free', async () => {
      const socket = await open(limited[0].url);
      await socket.init(await tokenFor('admin', `WSSUB${RUN}`));
      subscribe(socket, 's1');
      expect(await answerTo(socket, 's1')).toEqual(firstUpdate('s1'));
      subscribe(socket, 's2');
      expect(await answerTo(socket, 's2')).toEqual(firstUpdate('s2'));
      subscribe(socket, 's3');
      expect(await answerTo(socket, 's3')).toEqual(tooMany('s3'));
      socket.send({ id: 's1', type: 'complete' });
      await waitFor(
        async () => {
          const id = `retry${socket.messages.length}`;
          subscribe(socket, id);
          return (await answerTo(socket, id)).type === 'next';
        },
        { what: 'a subscription to be accepted after one completed' },
      );
    });

    it('should hold the limit when subscribes arrive together: of 5, exactly 2 run', async () => {
      const socket = await open(limited[0].url);
      await socket.init(await tokenFor('admin', `WSRACE${RUN}`));
      const ids = ['r1', 'r2', 'r3', 'r4', 'r5'];
      ids.forEach((id) => subscribe(socket, id));
      const answers = await Promise.all(ids.map((id) => answerTo(socket, id)));
      expect(answers.filter((a) => a.type === 'next')).toHaveLength(2);
      expect(answers.filter((a) => a.type === 'error')).toEqual(
        answers.filter((a) => a.type === 'error').map((a) => tooMany(String(a.id))),
      );
      expect(answers.filter((a) => a.type === 'error')).toHaveLength(3);
    });

    it('should close a third connection of one identity with 4429 (max 2), leave other identities alone, and free the slot on close', async () => {
      const token = await tokenFor('driver', `WSCONN${RUN}`);
      const first = await open(limited[0].url);
      await first.init(token);
      const second = await open(limited[0].url);
      await second.init(token);
      const third = await open(limited[0].url);
      third.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
      expect(await third.closedWithin()).toEqual({
        code: 4429,
        reason: `Too many connections for driver:WSCONN${RUN} (max 2)`,
      });
      const someoneElse = await open(limited[0].url);
      await someoneElse.init(await tokenFor('driver', `WSOTHER${RUN}`));

      first.socket.close(1000);
      await first.closedWithin();
      await waitFor(
        async () => {
          const again = await open(limited[0].url);
          again.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
          const outcome = await Promise.race([
            again
              .next((m) => m.type === 'connection_ack', 'connection_ack')
              .then(() => 'ack')
              .catch(() => 'no connection_ack'),
            again.closed.then((c) => `closed ${c.code}`),
          ]);
          if (outcome !== 'ack') throw new Error(outcome);
          return true;
        },
        { what: 'a new connection to be accepted after one closed' },
      );
    });
  });

  // -------------------------------------------------------------------------------------------

  describe('production mode (APP_MODE=production)', () => {
    const url = () => system.gatewayUrl;
    const adminCall = async (query: string) =>
      gql(url(), query, undefined, await tokenFor('admin', `PROD${RUN}`));

    it('should refuse introspection, over HTTP and over the WebSocket', async () => {
      const res = await adminCall('{ __schema { queryType { name } } }');
      expect(res.status).toBe(400);
      expect(errorsOf(res)[0]).toMatchObject({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
      expect(errorsOf(res)[0]?.message).toMatch(/introspection is not allowed/);
      const socket = await open(url());
      await socket.init(await tokenFor('admin', `PRODWS${RUN}`));
      socket.send({
        id: 'i',
        type: 'subscribe',
        payload: { query: '{ __type(name: "Driver") { fields { name } } }' },
      });
      const answer = await socket.next((m) => m.id === 'i', 'the introspection answer');
      expect(JSON.stringify(answer)).toMatch(/introspection is not allowed/);
      expect(JSON.stringify(answer)).not.toMatch(/"fields"/);
    });

    it('should serve no Sandbox page to a browser GET: without a token it is refused like any request', async () => {
      const res = await request(url(), { method: 'GET', headers: { accept: 'text/html' } });
      expect(res.status).toBe(401);
      expect(errorsOf(res)).toEqual([
        {
          message: 'Authentication required: send Authorization: Bearer <token>',
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ]);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(res.text).not.toMatch(/<html|sandbox|embeddable/i);
    });

    it('should answer the query limits with their own codes, over HTTP and the WebSocket alike', async () => {
      const WIDE = 'query ($n: Int) { drivers(limit: $n) { trips(limit: $n) { code } } }';
      const deep = `{ passenger(code: "PX1001") { ${'trips { passenger { '.repeat(5)}code${' } }'.repeat(5)} } }`;
      const over = await gql(url(), WIDE, { n: 1_000 }, await tokenFor('admin', `PRODLIM${RUN}`));
      expect(over.status).toBe(400);
      expect(errorsOf(over)).toEqual([
        { message: 'Query cost 40201 exceeds the limit of 5000', extensions: { code: 'QUERY_TOO_COMPLEX' } },
      ]);
      // The same operation with a small list runs: the cost is counted with the variable's value.
      expect(
        dataOf(await gql(url(), WIDE, { n: 2 }, await tokenFor('admin', `PRODLIM${RUN}`))),
      ).toMatchObject({
        drivers: [expect.anything(), expect.anything()],
      });
      const tooDeep = await gql(url(), deep, undefined, await tokenFor('admin', `PRODLIM${RUN}`));
      expect(errorsOf(tooDeep)).toEqual([
        { message: 'Query depth limit of 10 exceeded, found 12.', extensions: { code: 'QUERY_TOO_DEEP' } },
      ]);

      const socket = await open(url());
      await socket.init(await tokenFor('admin', `PRODLIMWS${RUN}`));
      socket.send({ id: 'wide', type: 'subscribe', payload: { query: WIDE, variables: { n: 1_000 } } });
      socket.send({ id: 'deep', type: 'subscribe', payload: { query: deep } });
      expect(await socket.next((m) => m.id === 'wide', 'the wide query over the socket')).toEqual({
        id: 'wide',
        type: 'error',
        payload: [
          {
            message: 'Query cost 40201 exceeds the limit of 5000',
            extensions: { code: 'QUERY_TOO_COMPLEX' },
          },
        ],
      });
      expect(await socket.next((m) => m.id === 'deep', 'the deep query over the socket')).toEqual({
        id: 'deep',
        type: 'error',
        payload: [
          { message: 'Query depth limit of 10 exceeded, found 12.', extensions: { code: 'QUERY_TOO_DEEP' } },
        ],
      });
    });

    it('should mask internal errors (no message, no stack trace) and keep user-facing ones with their codes', async () => {
      // A driver document a bug could leave behind (no timestamps): reading createdAt throws a TypeError.
      const mongo = new MongoClient(readInfraConfig().mongoUrl);
      try {
        await mongo
          .db(`${system.prefix}_drivers`)
          .collection<{ _id: string } & Record<string, unknown>>('drivers')
          .insertOne({
            _id: `BROKEN${RUN}`,
            code: `BROKEN${RUN}`,
            firstName: 'Broken',
            lastName: 'Record',
            car: { make: 'Kia', model: 'Niro', year: 2022, color: 'Red', licensePlate: 'BRK' },
            isAcceptingRides: true,
          });
      } finally {
        await mongo.close();
      }
      const internal = await adminCall(`{ driver(code: "BROKEN${RUN}") { code createdAt } }`);
      expect(errorsOf(internal)).toMatchObject([
        { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      ]);
      expect(internal.text).not.toMatch(/toISOString|stacktrace|TypeError|\/work\/|node_modules/);

      const forbidden = await gql(
        url(),
        '{ passengers { code } }',
        undefined,
        await tokenFor('passenger', 'PX1001'),
      );
      expect(errorsOf(forbidden)).toMatchObject([
        { message: 'passenger PX1001 may not list passengers', extensions: { code: 'FORBIDDEN' } },
      ]);
      expect(forbidden.text).not.toMatch(/stacktrace|node_modules/);
    });

    it('should send the security headers on every answer, refusals included', async () => {
      const answers = [
        await adminCall('{ __typename }'),
        await gql(url(), '{ __typename }'),
        await request(url(), { method: 'GET', headers: { accept: 'text/html' } }),
      ];
      for (const res of answers) {
        expect({
          status: res.status,
          nosniff: res.headers.get('x-content-type-options'),
          hsts: res.headers.get('strict-transport-security'),
          frames: res.headers.get('x-frame-options'),
          referrer: res.headers.get('referrer-policy'),
        }).toEqual({
          status: res.status,
          nosniff: 'nosniff',
          hsts: 'max-age=31536000; includeSubDomains',
          frames: 'DENY',
          referrer: 'no-referrer',
        });
      }
    });

    it("should answer CORS for the allowed origin only: its preflight and requests get access-control-allow-origin, another origin's preflight gets 403", async () => {
      const preflight = (origin: string) =>
        request(url(), {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization, content-type',
          },
        });
      const allowed = await preflight(ALLOWED_ORIGIN);
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
      expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
      const post = await gql(url(), '{ __typename }', undefined, await tokenFor('admin', `CORS${RUN}`), {
        origin: ALLOWED_ORIGIN,
      });
      expect(post.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);

      const other = await preflight('https://evil.example');
      expect(other.status).toBe(403);
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      const otherPost = await gql(url(), '{ __typename }', undefined, await tokenFor('admin', `CORS${RUN}`), {
        origin: 'https://evil.example',
      });
      expect(otherPost.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('should refuse to start without AUTH_JWT_SECRET (or a JWKS URL), naming the variable', async () => {
      const lines: string[] = [];
      const { AUTH_JWT_SECRET: _secret, ...withoutSecret } = system.envFor('gateway');
      await expect(
        startService('gateway-no-secret', 'gateway/src/index.ts', withoutSecret, (l) => lines.push(l)),
      ).rejects.toThrow(/exited with code 1 before it was ready/);
      expect(lines.join('\n')).toMatch(/AUTH_JWT_SECRET.*must be set outside local mode/);
    });
  });
});
