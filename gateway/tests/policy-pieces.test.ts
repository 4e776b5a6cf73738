import { buildSchema, getOperationAST, parse } from 'graphql';
import { createTokenVerifier, mintToken, type Identity } from '@rideshare/common';
import type { RateLimitDecision } from '../src/limits/rate-limit';
import { useAuthentication } from '../src/policy/authentication';
import { TOO_MANY_CONNECTIONS, useConnectionLimits } from '../src/policy/connection-limits';
import type { Caller, PolicyPlugin } from '../src/policy/plugin';
import { useQueryLimits } from '../src/policy/query-limits';
import { useRateLimit } from '../src/policy/rate-limit';
import { useSafelist } from '../src/policy/safelist';

// Each piece of the request policy on its own: what it lets through, and the exact refusal otherwise.

const auth = { secret: 'policy-test-secret-0123456789', issuer: 'policy-test', audience: 'policy-test' };
const driver: Identity = { role: 'driver', code: 'D1' };

/** A hook the piece must have (a missing one fails the test, not the type checker). */
function hook<K extends keyof PolicyPlugin>(plugin: PolicyPlugin, name: K): NonNullable<PolicyPlugin[K]> {
  const found = plugin[name];
  if (!found) throw new Error(`${plugin.name} has no ${name}`);
  return found;
}

describe('useAuthentication', () => {
  const authenticate = hook(useAuthentication(createTokenVerifier(auth)), 'onAuthenticate');
  const refusal = (message: string) => ({
    refused: true,
    code: 'UNAUTHENTICATED',
    message,
    httpStatus: 401,
    headers: { 'www-authenticate': 'Bearer' },
  });
  async function refusalOf(authorization: string | undefined) {
    const result = await authenticate({ authorization, address: '::1' });
    if (!('refused' in result)) throw new Error('admitted');
    return result;
  }

  it('should name the caller of a valid bearer token, and until when it holds', async () => {
    const token = await mintToken(auth, driver, '10m');
    const verified = await authenticate({ authorization: `Bearer ${token}`, address: '::1' });
    if ('refused' in verified) throw new Error(verified.message);
    expect(verified.identity).toEqual(driver);
    expect(verified.expiresAt).toBeGreaterThan(Date.now() + 590_000);
    expect(verified.expiresAt).toBeLessThanOrEqual(Date.now() + 600_000);
  });

  it.each([
    ['no token', undefined, /^Authentication required: send Authorization: Bearer <token>$/],
    ['another scheme', 'Basic dXNlcjpwYXNz', /^Authorization header must be "Bearer <token>"$/],
    ['a token that is not a JWT', 'Bearer not-a-token', /^Invalid token \(/],
  ])(
    'should refuse %s with 401 UNAUTHENTICATED, the reason and www-authenticate',
    async (_name, authorization, message) => {
      const refused = await refusalOf(authorization);
      expect(refused).toEqual(refusal(refused.message));
      expect(refused.message).toMatch(message);
    },
  );

  it('should refuse a token signed with another secret', async () => {
    const forged = await mintToken({ ...auth, secret: 'another-secret-0123456789abc' }, driver);
    await expect(authenticate({ authorization: `Bearer ${forged}`, address: '::1' })).resolves.toEqual(
      refusal('Invalid token (bad signature)'),
    );
  });

  it('should say "Invalid token" when the verifier throws something that is not an Error', async () => {
    const odd: unknown = 'not an Error';
    const throwing = hook(
      useAuthentication(async () => {
        throw odd;
      }),
      'onAuthenticate',
    );
    await expect(throwing({ authorization: 'Bearer x', address: '::1' })).resolves.toEqual(
      refusal('Invalid token'),
    );
  });
});

describe('useRateLimit', () => {
  const limits = { perMinute: 100, anonymousPerMinute: 5 };
  function limiterAnswering(decision: Omit<RateLimitDecision, 'limit'>) {
    const calls: Array<[string, number]> = [];
    const limiter = async (key: string, limit: number): Promise<RateLimitDecision> => {
      calls.push([key, limit]);
      return { ...decision, limit };
    };
    return { calls, onRequest: hook(useRateLimit(limiter, limits), 'onRequest') };
  }
  const identified: Caller = { identity: driver };
  const anonymous: Caller = { address: '10.0.0.7' };

  it('should count an identity against the per-identity budget and report what is left', async () => {
    const { calls, onRequest } = limiterAnswering({ allowed: true, remaining: 41, retryAfterSeconds: 9 });
    await expect(onRequest(identified)).resolves.toEqual({
      refused: false,
      headers: { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '41' },
    });
    expect(calls).toEqual([['id:driver:D1', 100]]);
  });

  it('should count an anonymous caller by address against the smaller budget', async () => {
    const { calls, onRequest } = limiterAnswering({ allowed: true, remaining: 4, retryAfterSeconds: 9 });
    await onRequest(anonymous);
    expect(calls).toEqual([['ip:10.0.0.7', 5]]);
  });

  it('should refuse a caller over budget with 429 RATE_LIMITED, retry-after and the limit headers', async () => {
    const { onRequest } = limiterAnswering({ allowed: false, remaining: 0, retryAfterSeconds: 17 });
    await expect(onRequest(identified)).resolves.toEqual({
      refused: true,
      code: 'RATE_LIMITED',
      message: 'Rate limit of 100 requests per minute exceeded; retry in 17 s',
      httpStatus: 429,
      headers: { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '0', 'retry-after': '17' },
    });
  });
});

describe('useSafelist', () => {
  const onOperation = hook(useSafelist(new Set(['a'.repeat(64)])), 'onOperation');

  it('should let an operation of the safelist run', () => {
    expect(onOperation({ queryHash: 'a'.repeat(64), internal: false })).toEqual({
      refused: false,
      headers: {},
    });
  });

  it('should refuse any other client operation with 403 OPERATION_NOT_SAFELISTED', () => {
    expect(onOperation({ queryHash: 'b'.repeat(64), internal: false })).toEqual({
      refused: true,
      code: 'OPERATION_NOT_SAFELISTED',
      message: 'This operation is not in the safelist',
      httpStatus: 403,
      headers: {},
    });
  });

  it("should let the gateway's own operations through", () => {
    expect(onOperation({ queryHash: 'b'.repeat(64), internal: true }).refused).toBe(false);
  });
});

describe('useQueryLimits', () => {
  const schema = buildSchema(
    'type Node { child: Node name: String } type Query { node: Node nodes(limit: Int): [Node!]! }',
  );
  const plugin = useQueryLimits({
    maxDepth: 2,
    maxAliases: 1,
    maxDirectives: 1,
    maxTokens: 500,
    maxCost: 100,
    defaultListSize: 10,
    maxListSize: 50,
  });
  const check = hook(plugin, 'onResolvedOperation');
  const op = (query: string, variableValues: Record<string, unknown> = {}, internal = false) => {
    const document = parse(query);
    const operation = getOperationAST(document);
    if (!operation) throw new Error('no operation');
    return { schema, document, operation, variableValues, queryHash: 'h', internal };
  };

  it('should let an operation within the limits pass, and set the token limit for the parser', () => {
    expect(check(op('{ node { name } }'))).toEqual({ refused: false, headers: {} });
    expect(plugin.maxTokens).toBe(500);
    expect(plugin.validationRules).toBeUndefined();
  });

  it('should refuse with 400 and the code of the limit exceeded', () => {
    expect(check(op('{ node { child { name } } }'))).toEqual({
      refused: true,
      code: 'QUERY_TOO_DEEP',
      message: 'Query depth limit of 2 exceeded, found 3.',
      httpStatus: 400,
      headers: {},
    });
    expect(check(op('{ a: node { name } b: node { name } }'))).toMatchObject({ code: 'TOO_MANY_ALIASES' });
    expect(check(op('{ node @skip(if: false) @include(if: true) { name } }'))).toMatchObject({
      code: 'TOO_MANY_DIRECTIVES',
    });
    expect(check(op('query ($n: Int) { nodes(limit: $n) { name n: name } }', { n: 200 }))).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      message: 'Query cost 101 exceeds the limit of 100',
    });
  });

  it("should let the gateway's own operations through", () => {
    expect(check(op('{ node { child { child { name } } } }', {}, true)).refused).toBe(false);
  });
});

describe('useConnectionLimits', () => {
  const limits = () => {
    const plugin = useConnectionLimits({ maxConnectionsPerIdentity: 2, maxOperationsPerConnection: 3 });
    return {
      connect: hook(plugin, 'onConnect'),
      disconnect: hook(plugin, 'onDisconnect'),
      operation: hook(plugin, 'onConnectionOperation'),
    };
  };

  it('should admit connections up to the limit per identity, then refuse with 4429 naming the identity', () => {
    const { connect } = limits();
    expect(connect(driver).refused).toBe(false);
    expect(connect(driver).refused).toBe(false);
    expect(connect(driver)).toEqual({
      refused: true,
      code: 'TOO_MANY_CONNECTIONS',
      message: 'Too many connections for driver:D1 (max 2)',
      httpStatus: 429,
      headers: {},
      closeCode: TOO_MANY_CONNECTIONS,
    });
    expect(TOO_MANY_CONNECTIONS).toBe(4429);
  });

  it('should count each identity on its own, by role and code', () => {
    const { connect } = limits();
    connect(driver);
    connect(driver);
    expect(connect({ role: 'driver', code: 'D2' }).refused).toBe(false);
    expect(connect({ role: 'passenger', code: 'D1' }).refused).toBe(false);
  });

  it('should free a slot when a connection closes', () => {
    const { connect, disconnect } = limits();
    connect(driver);
    connect(driver);
    disconnect(driver);
    expect(connect(driver).refused).toBe(false);
    expect(connect(driver).refused).toBe(true);
  });

  it('should not let a stray disconnect give an identity more slots', () => {
    const { connect, disconnect } = limits();
    disconnect(driver);
    connect(driver);
    connect(driver);
    expect(connect(driver).refused).toBe(true);
  });

  it('should refuse an operation once the connection runs the most it may', () => {
    const { operation } = limits();
    expect(operation(2).refused).toBe(false);
    expect(operation(3)).toEqual({
      refused: true,
      code: 'TOO_MANY_SUBSCRIPTIONS',
      message: 'Too many operations on this connection (max 3)',
      httpStatus: 429,
      headers: {},
    });
  });
});
