import { buildSchema, getOperationAST, parse, type ValidationRule } from 'graphql';
import type { Identity } from '@rideshare/common';
import { sha256 } from '../src/limits/persisted-queries';
import type { RateLimitDecision } from '../src/limits/rate-limit';
import { composePolicy, createRequestPolicy } from '../src/policy';
import type { Caller, Credentials, PolicyPlugin } from '../src/policy/plugin';
import { proceed, refuse, type Refusal } from '../src/policy/refusal';

// How the composed policy runs its pieces' hooks for each transport: the order, the first refusal
// winning, headers kept, connections counted and released. Pieces here are small fakes.

const alice: Identity = { role: 'passenger', code: 'P1' };
/** When alice's token expires (ms since the epoch). */
const ALICE_EXPIRES = Date.parse('2030-01-01T00:00:00Z');
const unauthenticated = refuse({
  code: 'UNAUTHENTICATED',
  message: 'no token',
  httpStatus: 401,
  headers: { 'www-authenticate': 'Bearer' },
});
const credentials = (authorization?: string): Credentials => ({ authorization, address: '10.0.0.1' });

/** Authenticates "Bearer alice" only. */
const authentication: PolicyPlugin = {
  name: 'authentication',
  onAuthenticate: async ({ authorization }) =>
    authorization === 'Bearer alice' ? { identity: alice, expiresAt: ALICE_EXPIRES } : unauthenticated,
};

/** Records who each request hook saw; refuses when told to. */
function recorder(name: string, refusal?: Refusal) {
  const seen: Caller[] = [];
  const plugin: PolicyPlugin = {
    name,
    onRequest: async (caller) => {
      seen.push(caller);
      return refusal ?? proceed({ [`x-${name}`]: 'seen' });
    },
  };
  return { seen, plugin };
}

const tooMany = refuse({
  code: 'RATE_LIMITED',
  message: 'slow down',
  httpStatus: 429,
  headers: { 'retry-after': '3' },
});

describe('composePolicy', () => {
  it('should need exactly one plugin that authenticates', () => {
    expect(() => composePolicy([])).toThrow(/exactly one plugin that authenticates/);
    expect(() => composePolicy([authentication, { ...authentication, name: 'again' }])).toThrow(
      /exactly one plugin that authenticates/,
    );
  });

  it("should gather every plugin's validation rules, in order", () => {
    const a: ValidationRule = () => ({});
    const b: ValidationRule = () => ({});
    const policy = composePolicy([
      { name: 'a', validationRules: [a] },
      authentication,
      { name: 'b', validationRules: [b] },
    ]);
    expect(policy.validationRules).toEqual([a, b]);
  });

  it("should give the parser the smallest of the plugins' token limits, and none without one", () => {
    expect(composePolicy([authentication]).parseOptions).toEqual({});
    const policy = composePolicy([
      { name: 'a', maxTokens: 900 },
      authentication,
      { name: 'b', maxTokens: 400 },
    ]);
    expect(policy.parseOptions).toEqual({ maxTokens: 400 });
  });

  describe('admitLandingPage (HTTP, local mode)', () => {
    it('should count the page by address with the request hooks, and refuse it when they do', async () => {
      const limiter = recorder('limiter');
      await expect(
        composePolicy([authentication, limiter.plugin]).admitLandingPage('10.0.0.9'),
      ).resolves.toEqual({
        refused: false,
        headers: { 'x-limiter': 'seen' },
      });
      expect(limiter.seen).toEqual([{ address: '10.0.0.9' }]);
      const limited = composePolicy([authentication, recorder('limiter', tooMany).plugin]);
      await expect(limited.admitLandingPage('10.0.0.9')).resolves.toEqual(tooMany);
    });
  });

  describe('admitRequest (HTTP)', () => {
    it('should admit an identified caller with the headers of every request hook', async () => {
      const first = recorder('first');
      const second = recorder('second');
      const policy = composePolicy([authentication, first.plugin, second.plugin]);
      await expect(policy.admitRequest(credentials('Bearer alice'))).resolves.toEqual({
        refused: false,
        identity: alice,
        headers: { 'x-first': 'seen', 'x-second': 'seen' },
      });
      expect(first.seen).toEqual([{ identity: alice }]);
    });

    it('should run the request hooks for an anonymous caller (by address) before refusing it, keeping their headers', async () => {
      const limiter = recorder('limiter');
      const policy = composePolicy([authentication, limiter.plugin]);
      await expect(policy.admitRequest(credentials())).resolves.toEqual({
        ...unauthenticated,
        headers: { 'x-limiter': 'seen', 'www-authenticate': 'Bearer' },
      });
      expect(limiter.seen).toEqual([{ address: '10.0.0.1' }]);
    });

    it('should answer a request hook refusal before the missing authentication', async () => {
      const policy = composePolicy([authentication, recorder('limiter', tooMany).plugin]);
      await expect(policy.admitRequest(credentials('Bearer nobody'))).resolves.toEqual(tooMany);
    });

    it('should stop at the first refusal, with the headers of the hooks before it', async () => {
      const first = recorder('first');
      const after = recorder('after');
      const policy = composePolicy([
        authentication,
        first.plugin,
        recorder('limiter', tooMany).plugin,
        after.plugin,
      ]);
      await expect(policy.admitRequest(credentials('Bearer alice'))).resolves.toEqual({
        ...tooMany,
        headers: { 'x-first': 'seen', 'retry-after': '3' },
      });
      expect(after.seen).toEqual([]);
    });
  });

  describe('admitConnection (WebSocket)', () => {
    function counter(name: string, max: number) {
      let open = 0;
      const plugin: PolicyPlugin = {
        name,
        onConnect: () => {
          if (open >= max)
            return refuse({ code: 'FULL', message: `${name} is full`, httpStatus: 429, closeCode: 4429 });
          open += 1;
          return proceed();
        },
        onDisconnect: () => void (open -= 1),
      };
      return { plugin, open: () => open };
    }

    it('should refuse an anonymous socket at once, without running request hooks', async () => {
      const limiter = recorder('limiter');
      const policy = composePolicy([authentication, limiter.plugin]);
      await expect(policy.admitConnection(credentials('Bearer nobody'))).resolves.toEqual(unauthenticated);
      expect(limiter.seen).toEqual([]);
    });

    it('should count an admitted connection until it is released, once', async () => {
      const connections = counter('connections', 1);
      const policy = composePolicy([authentication, connections.plugin]);
      const first = await policy.admitConnection(credentials('Bearer alice'));
      if (first.refused) throw new Error('first connection refused');
      expect(first.identity).toEqual(alice);
      expect(first.expiresAt).toBe(ALICE_EXPIRES); // ws-server closes the socket then
      expect(connections.open()).toBe(1);
      await expect(policy.admitConnection(credentials('Bearer alice'))).resolves.toMatchObject({
        refused: true,
        code: 'FULL',
        closeCode: 4429,
      });
      first.release();
      first.release();
      expect(connections.open()).toBe(0);
    });

    it('should give back what earlier plugins counted when a later one refuses', async () => {
      const early = counter('early', 5);
      const full = counter('full', 0);
      const policy = composePolicy([authentication, early.plugin, full.plugin]);
      await expect(policy.admitConnection(credentials('Bearer alice'))).resolves.toMatchObject({
        code: 'FULL',
      });
      expect(early.open()).toBe(0);
    });
  });

  describe('operations', () => {
    const allowedQuery = '{ allowed }';
    const safelist: PolicyPlugin = {
      name: 'safelist',
      onOperation: ({ queryHash, internal }) =>
        internal || queryHash === sha256(allowedQuery)
          ? proceed()
          : refuse({ code: 'OPERATION_NOT_SAFELISTED', message: 'not listed', httpStatus: 403 }),
    };
    const slots: PolicyPlugin = {
      name: 'slots',
      onConnectionOperation: (running) =>
        running >= 2
          ? refuse({ code: 'TOO_MANY_SUBSCRIPTIONS', message: 'full', httpStatus: 429 })
          : proceed(),
    };

    it('should check an Apollo operation by its hash, exempting internal ones', () => {
      const policy = composePolicy([authentication, safelist]);
      expect(policy.admitOperation({ queryHash: sha256(allowedQuery), internal: false }).refused).toBe(false);
      expect(policy.admitOperation({ queryHash: sha256('{ other }'), internal: false })).toMatchObject({
        code: 'OPERATION_NOT_SAFELISTED',
      });
      expect(policy.admitOperation({ queryHash: sha256('{ other }'), internal: true }).refused).toBe(false);
    });

    it('should check a socket operation by the hash of its text before the request hooks, which a refused one never reaches', async () => {
      const limiter = recorder('limiter');
      const policy = composePolicy([authentication, limiter.plugin, safelist]);
      await expect(policy.admitSocketOperation(alice, '{ other }')).resolves.toMatchObject({
        code: 'OPERATION_NOT_SAFELISTED',
      });
      expect(limiter.seen).toEqual([]);
      await expect(policy.admitSocketOperation(alice, allowedQuery)).resolves.toEqual({
        refused: false,
        headers: { 'x-limiter': 'seen' },
      });
      expect(limiter.seen).toEqual([{ identity: alice }]);
    });

    it('should check a resolved operation with every onResolvedOperation hook, the first refusal winning', () => {
      const seen: string[] = [];
      const looker = (name: string, refusal?: Refusal): PolicyPlugin => ({
        name,
        onResolvedOperation: (op) => {
          seen.push(`${name}:${JSON.stringify(op.variableValues)}`);
          return refusal ?? proceed();
        },
      });
      const tooDeep = refuse({ code: 'QUERY_TOO_DEEP', message: 'deep', httpStatus: 400 });
      const policy = composePolicy([
        authentication,
        looker('first'),
        looker('limits', tooDeep),
        looker('after'),
      ]);
      const document = parse('query ($n: Int) { allowed(n: $n) }');
      const operation = getOperationAST(document);
      if (!operation) throw new Error('no operation');
      const schema = buildSchema('type Query { allowed(n: Int): Int }');
      expect(
        policy.admitResolvedOperation({
          schema,
          document,
          operation,
          variableValues: { n: 3 },
          queryHash: sha256('x'),
          internal: false,
        }),
      ).toEqual(tooDeep);
      expect(seen).toEqual(['first:{"n":3}', 'limits:{"n":3}']);
    });

    it('should decide a connection slot synchronously from how many operations run', () => {
      const policy = composePolicy([authentication, slots]);
      expect(policy.admitConnectionOperation(1).refused).toBe(false);
      expect(policy.admitConnectionOperation(2)).toMatchObject({ code: 'TOO_MANY_SUBSCRIPTIONS' });
    });
  });
});

describe('createRequestPolicy (the gateway policy from its configuration)', () => {
  const config = {
    rateLimit: { perMinute: 3, anonymousPerMinute: 1 },
    limits: {
      maxDepth: 5,
      maxAliases: 5,
      maxDirectives: 5,
      maxTokens: 300,
      maxCost: 100,
      defaultListSize: 10,
      maxListSize: 50,
      maxBatchSize: 5,
    },
    wsMaxConnectionsPerIdentity: 1,
    wsMaxSubscriptionsPerConnection: 1,
  };
  const verify = async (authorization: string | undefined) => {
    if (authorization !== 'Bearer alice') throw new Error('bad token');
    return { identity: alice, expiresAt: ALICE_EXPIRES };
  };
  /** A limiter that allows `budget` calls per key. */
  function limiter() {
    const counts = new Map<string, number>();
    return async (key: string, limit: number): Promise<RateLimitDecision> => {
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), retryAfterSeconds: 30 };
    };
  }

  it('should hold HTTP requests to authentication and the rate limit, anonymous ones to the smaller budget', async () => {
    const policy = createRequestPolicy(config, { verify, rateLimit: limiter() });
    await expect(policy.admitRequest(credentials())).resolves.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'bad token',
      headers: { 'x-ratelimit-limit': '1', 'x-ratelimit-remaining': '0', 'www-authenticate': 'Bearer' },
    });
    await expect(policy.admitRequest(credentials())).resolves.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(policy.admitRequest(credentials('Bearer alice'))).resolves.toMatchObject({
      refused: false,
      headers: { 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '2' },
    });
  });

  it('should count socket operations against the same per-identity budget as HTTP requests', async () => {
    const policy = createRequestPolicy(config, { verify, rateLimit: limiter() });
    await policy.admitRequest(credentials('Bearer alice'));
    await policy.admitRequest(credentials('Bearer alice'));
    await expect(policy.admitSocketOperation(alice, '{ a }')).resolves.toMatchObject({ refused: false });
    await expect(policy.admitSocketOperation(alice, '{ a }')).resolves.toMatchObject({
      code: 'RATE_LIMITED',
    });
  });

  it('should run every operation without a safelist, and only listed ones with one', async () => {
    const open = createRequestPolicy(config, { verify, rateLimit: limiter() });
    expect(open.admitOperation({ queryHash: sha256('{ a }'), internal: false }).refused).toBe(false);
    const listed = createRequestPolicy(config, {
      verify,
      rateLimit: limiter(),
      safelist: new Set([sha256('{ a }')]),
    });
    expect(listed.admitOperation({ queryHash: sha256('{ a }'), internal: false }).refused).toBe(false);
    expect(listed.admitOperation({ queryHash: sha256('{ b }'), internal: false })).toMatchObject({
      code: 'OPERATION_NOT_SAFELISTED',
    });
  });

  it('should take its query limits from the configuration: the token limit for the parser, the rest once resolved', () => {
    const policy = createRequestPolicy(config, { verify, rateLimit: limiter() });
    expect(policy.parseOptions).toEqual({ maxTokens: 300 });
    expect(policy.validationRules).toEqual([]);
    const schema = buildSchema('type Query { a(limit: Int): [Int!]! b: Int }');
    const resolve = (query: string) => {
      const document = parse(query);
      const operation = getOperationAST(document);
      if (!operation) throw new Error('no operation');
      return { schema, document, operation, variableValues: {}, queryHash: sha256(query), internal: false };
    };
    expect(policy.admitResolvedOperation(resolve('{ a b }')).refused).toBe(false);
    const aliases = Array.from({ length: 6 }, (_, i) => `b${i}: b`).join(' ');
    expect(policy.admitResolvedOperation(resolve(`{ ${aliases} }`))).toMatchObject({
      code: 'TOO_MANY_ALIASES',
      httpStatus: 400,
    });
  });

  it('should take its socket limits from the configuration', async () => {
    const policy = createRequestPolicy(config, { verify, rateLimit: limiter() });
    expect(policy.admitConnectionOperation(1)).toMatchObject({ code: 'TOO_MANY_SUBSCRIPTIONS' });
    await expect(policy.admitConnection(credentials('Bearer alice'))).resolves.toMatchObject({
      refused: false,
    });
    await expect(policy.admitConnection(credentials('Bearer alice'))).resolves.toMatchObject({
      code: 'TOO_MANY_CONNECTIONS',
      closeCode: 4429,
    });
  });
});
