import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { GraphQLError, buildSchema, type ValidationRule } from 'graphql';
import { sendJson, type Identity } from '@rideshare/common';
import { sha256 } from '../src/limits/persisted-queries';
import { guardGraphQLRoute } from '../src/http-guard';
import { isLandingPageRequest, policyPlugin, validateOperation } from '../src/policy';
import type { RequestPolicy } from '../src/policy';
import { proceed, refuse } from '../src/policy/refusal';

// How the transports apply the policy, without the gateway: the node:http guard, the Apollo plugin,
// the graphql-js checks of socket operations, and the one request the policy does not check.

const alice: Identity = { role: 'passenger', code: 'P1' };
const typeDefs =
  'type Node { child: Node name: String } type Query { node: Node hello(times: Int!): String }';

describe('guardGraphQLRoute (HTTP requests)', () => {
  let server: http.Server;
  let url: string;
  let answer: RequestPolicy['admitRequest'];
  const seen: Array<Identity | undefined> = [];

  beforeAll(async () => {
    const identities = new WeakMap<http.IncomingMessage, Identity>();
    const route = guardGraphQLRoute(
      (req, res) => {
        seen.push(identities.get(req));
        sendJson(res, 200, { data: { ok: true } });
      },
      {
        config: { mode: 'production', corsOrigins: [] },
        policy: { admitRequest: (credentials) => answer(credentials) },
        identities,
      },
    );
    server = http.createServer((req, res) => void route(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => (seen.length = 0));

  it('should answer a refusal with its status, headers and { errors: [{ message, extensions: { code } }] }', async () => {
    answer = async () =>
      refuse({
        code: 'RATE_LIMITED',
        message: 'slow down',
        httpStatus: 429,
        headers: { 'retry-after': '7', 'x-ratelimit-remaining': '0' },
      });
    const res = await fetch(url, { method: 'POST', body: '{}' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.json()).toEqual({
      errors: [{ message: 'slow down', extensions: { code: 'RATE_LIMITED' } }],
    });
    expect(seen).toEqual([]);
  });

  it('should pass the credentials it read, and hand an admitted identity and headers to the route', async () => {
    const asked: unknown[] = [];
    answer = async (credentials) => {
      asked.push(credentials);
      return { refused: false, identity: alice, headers: { 'x-ratelimit-limit': '10' } };
    };
    const res = await fetch(url, { method: 'POST', headers: { authorization: 'Bearer t' }, body: '{}' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBe('10');
    expect(asked).toEqual([{ authorization: 'Bearer t', address: '127.0.0.1' }]);
    expect(seen).toEqual([alice]);
  });

  it('should let the landing page through without asking the policy', async () => {
    answer = () => Promise.reject(new Error('the policy was asked'));
    const res = await fetch(url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(seen).toEqual([undefined]);
  });
});

describe('isLandingPageRequest', () => {
  const req = (method: string, accept: string | undefined, path = '/graphql') => ({
    method,
    url: path,
    headers: accept ? { accept } : {},
  });

  it('should be a browser GET asking for HTML with no operation in the URL', () => {
    expect(isLandingPageRequest(req('GET', 'text/html,application/xhtml+xml'))).toBe(true);
    expect(isLandingPageRequest(req('GET', 'text/html', '/graphql?query=%7B__typename%7D'))).toBe(false);
    expect(isLandingPageRequest(req('GET', 'application/json'))).toBe(false);
    expect(isLandingPageRequest(req('POST', 'text/html'))).toBe(false);
    expect(isLandingPageRequest(req('GET', undefined))).toBe(false);
  });
});

describe('policyPlugin (operations inside Apollo)', () => {
  const allowed = '{ node { name } }';
  async function serverWith(admitOperation: RequestPolicy['admitOperation']) {
    const apollo = new ApolloServer<{ internal?: boolean }>({
      typeDefs,
      resolvers: { Query: { node: () => ({ name: 'n' }) } },
      plugins: [policyPlugin({ admitOperation })],
    });
    await apollo.start();
    return apollo;
  }

  it("should refuse with the refusal's status, headers and code, and no http extension in the answer", async () => {
    const asked: unknown[] = [];
    const apollo = await serverWith((operation) => {
      asked.push(operation);
      return operation.queryHash === sha256(allowed)
        ? proceed()
        : refuse({ code: 'NOPE', message: 'not this one', httpStatus: 403, headers: { 'x-why': 'test' } });
    });
    try {
      const refused = await apollo.executeOperation({ query: '{ node { child { name } } }' });
      expect(refused.http.status).toBe(403);
      expect(refused.http.headers.get('x-why')).toBe('test');
      expect(refused.body).toEqual({
        kind: 'single',
        singleResult: { errors: [{ message: 'not this one', extensions: { code: 'NOPE' } }] },
      });
      const ran = await apollo.executeOperation({ query: allowed }, { contextValue: { internal: true } });
      expect(ran.body).toEqual({ kind: 'single', singleResult: { data: { node: { name: 'n' } } } });
      expect(asked).toEqual([
        { queryHash: sha256('{ node { child { name } } }'), internal: false },
        { queryHash: sha256(allowed), internal: true },
      ]);
    } finally {
      await apollo.stop();
    }
  });
});

describe('validateOperation (socket operations, as Apollo checks HTTP ones)', () => {
  const schema = buildSchema(typeDefs);
  /** A policy rule that refuses the field `node`. */
  const noNode: ValidationRule = (context) => ({
    Field(node) {
      if (node.name.value === 'node') context.reportError(new GraphQLError('no node'));
    },
  });
  /** Each error as "CODE: message". */
  const errorsOf = (result: ReturnType<typeof validateOperation>) =>
    'errors' in result ? result.errors.map((e) => `${String(e.extensions.code)}: ${e.message}`) : [];

  it('should give the document, the operation asked for and the coerced variables', () => {
    const result = validateOperation(
      schema,
      {
        query: 'query A { node { name } } query B($n: Int!) { hello(times: $n) }',
        operationName: 'B',
        variables: { n: 2 },
      },
      [],
    );
    if ('errors' in result) throw new Error(result.errors[0]?.message);
    expect(result.operation.name?.value).toBe('B');
    expect(result.variableValues).toEqual({ n: 2 });
    expect(result.schema).toBe(schema);
  });

  it('should answer with the codes Apollo uses over HTTP', () => {
    const check = (query: string, variables?: Record<string, unknown>) =>
      errorsOf(validateOperation(schema, { query, variables }, []));
    expect(errorsOf(validateOperation(undefined, { query: '{ node }' }, []))).toEqual([
      'SERVICE_UNAVAILABLE: The gateway has no schema yet',
    ]);
    expect(check('{ node {')).toEqual(['GRAPHQL_PARSE_FAILED: Syntax Error: Expected Name, found <EOF>.']);
    expect(check('{ salary }')).toEqual([
      'GRAPHQL_VALIDATION_FAILED: Cannot query field "salary" on type "Query".',
    ]);
    expect(check('query A { node { name } } query B { node { name } }')).toEqual([
      'BAD_USER_INPUT: Could not determine which operation to run',
    ]);
    expect(check('query ($n: Int!) { hello(times: $n) }', { n: 'x' })).toEqual([
      'BAD_USER_INPUT: Variable "$n" got invalid value "x"; Int cannot represent non-integer value: "x"',
    ]);
  });

  it("should validate with the policy's rules, reporting them as validation failures", () => {
    expect(errorsOf(validateOperation(schema, { query: '{ node { name } }' }, [noNode]))).toEqual([
      'GRAPHQL_VALIDATION_FAILED: no node',
    ]);
  });
});
