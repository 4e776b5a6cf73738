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
  let landing: RequestPolicy['admitLandingPage'];
  /** What each route ran: the identity the operations route was given, or the landing page. */
  const seen: Array<Identity | 'landing page'> = [];
  const asked: string[] = [];

  /** A guard in front of two fake routes; `withLandingPage: false` is production (no Sandbox). */
  async function serve(withLandingPage: boolean) {
    const route = guardGraphQLRoute(
      {
        operations: (_req, res, identity) => {
          seen.push(identity);
          sendJson(res, 200, { data: { ok: true } });
        },
        ...(withLandingPage
          ? {
              landingPage: (_req: http.IncomingMessage, res: http.ServerResponse) => {
                seen.push('landing page');
                res.writeHead(200, { 'content-type': 'text/html' });
                res.end('<html>sandbox</html>');
              },
            }
          : {}),
      },
      {
        config: { mode: withLandingPage ? 'local' : 'production', corsOrigins: [] },
        policy: {
          admitRequest: (credentials) => {
            asked.push('request');
            return answer(credentials);
          },
          admitLandingPage: (address) => {
            asked.push('landing page');
            return landing(address);
          },
        },
      },
    );
    server = http.createServer((req, res) => void route(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  }
  const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  beforeEach(() => {
    seen.length = 0;
    asked.length = 0;
    answer = async () => refuse({ code: 'UNAUTHENTICATED', message: 'no token', httpStatus: 401 });
    landing = async () => proceed({ 'x-ratelimit-remaining': '9' });
  });

  describe('local mode (a Sandbox page)', () => {
    beforeAll(() => serve(true));
    afterAll(stop);

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

    it('should pass the credentials it read, and hand the admitted identity and headers to the operations route', async () => {
      const credentials: unknown[] = [];
      answer = async (c) => {
        credentials.push(c);
        return { refused: false, identity: alice, headers: { 'x-ratelimit-limit': '10' } };
      };
      const res = await fetch(url, { method: 'POST', headers: { authorization: 'Bearer t' }, body: '{}' });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-limit')).toBe('10');
      expect(credentials).toEqual([{ authorization: 'Bearer t', address: '127.0.0.1' }]);
      expect(seen).toEqual([alice]);
    });

    it('should send a browser GET to the landing page without a token, counted by admitLandingPage', async () => {
      const res = await fetch(url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-remaining')).toBe('9');
      expect(await res.text()).toBe('<html>sandbox</html>');
      expect({ asked, seen }).toEqual({ asked: ['landing page'], seen: ['landing page'] });
    });

    it('should refuse the landing page over the rate limit', async () => {
      landing = async () => refuse({ code: 'RATE_LIMITED', message: 'slow down', httpStatus: 429 });
      const res = await fetch(url, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(429);
      expect(seen).toEqual([]);
    });

    it('should authenticate the issue-14 bypass (an encoded query parameter, HTML barely accepted)', async () => {
      const res = await fetch(`${url}?%71uery=%7Bpassengers%7Bcode%7D%7D`, {
        headers: { accept: 'application/json, text/html;q=0.1', 'apollo-require-preflight': 'true' },
      });
      expect(res.status).toBe(401);
      expect({ asked, seen }).toEqual({ asked: ['request'], seen: [] });
    });
  });

  describe('production mode (no Sandbox page)', () => {
    beforeAll(() => serve(false));
    afterAll(stop);

    it('should authenticate even a browser GET for the page', async () => {
      const res = await fetch(url, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(401);
      expect({ asked, seen }).toEqual({ asked: ['request'], seen: [] });
    });
  });
});

describe('isLandingPageRequest (what Apollo serves its landing page for, and no URL parameters)', () => {
  const req = (method: string, accept: string | undefined, path = '/graphql') => ({
    method,
    url: path,
    headers: accept ? { accept } : {},
  });

  it.each([
    ['a browser', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
    ['text/html alone', 'text/html'],
    ['text/html in capitals', 'TEXT/HTML'],
    ['HTML preferred by weight', 'application/json;q=0.5, text/html'],
    ['HTML listed before JSON of the same weight', 'text/html, application/json'],
  ])('should be a GET preferring HTML with no parameters: %s', (_name, accept) => {
    expect(isLandingPageRequest(req('GET', accept))).toBe(true);
    expect(isLandingPageRequest(req('GET', accept, '/graphql?'))).toBe(true);
  });

  it.each([
    ['JSON preferred, HTML barely accepted', 'GET', 'application/json, text/html;q=0.1', '/graphql'],
    ['anything (*/*)', 'GET', '*/*', '/graphql'],
    ['JSON listed before HTML of the same weight', 'GET', 'application/json, text/html', '/graphql'],
    ['no Accept header', 'GET', undefined, '/graphql'],
    ['a query parameter', 'GET', 'text/html', '/graphql?query=%7B__typename%7D'],
    ['an encoded query parameter', 'GET', 'text/html', '/graphql?%71uery=%7B__typename%7D'],
    ['a duplicated, empty query parameter', 'GET', 'text/html', '/graphql?query=&query='],
    ['operationName only', 'GET', 'text/html', '/graphql?operationName=Q'],
    ['APQ extensions only', 'GET', 'text/html', '/graphql?extensions=%7B%7D'],
    ['any other parameter', 'GET', 'text/html', '/graphql?x=1'],
    ['HEAD', 'HEAD', 'text/html', '/graphql'],
    ['POST', 'POST', 'text/html', '/graphql'],
    ['a lower-case method', 'get', 'text/html', '/graphql'],
  ])('should not be %s', (_name, method, accept, path) => {
    expect(isLandingPageRequest(req(method, accept, path))).toBe(false);
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

  it('should hand the resolved operation its coerced variables, and refuse what it refuses with its status', async () => {
    const seen: unknown[] = [];
    const apollo = new ApolloServer<{ internal?: boolean }>({
      typeDefs,
      resolvers: { Query: { hello: (_: unknown, { times }: { times: number }) => 'hi'.repeat(times) } },
      plugins: [
        policyPlugin({
          admitOperation: () => proceed(),
          admitResolvedOperation: ({ variableValues, internal, operation }) => {
            seen.push({ variableValues, internal, name: operation.name?.value });
            return Number(variableValues.n) > 5
              ? refuse({ code: 'QUERY_TOO_COMPLEX', message: 'too many', httpStatus: 400 })
              : proceed();
          },
        }),
      ],
    });
    await apollo.start();
    try {
      const query = 'query Q($n: Int! = 2) { hello(times: $n) }';
      const ran = await apollo.executeOperation({ query });
      expect(ran.body).toEqual({ kind: 'single', singleResult: { data: { hello: 'hihi' } } });
      const refused = await apollo.executeOperation({ query, variables: { n: 6 } });
      expect(refused.http.status).toBe(400);
      expect(refused.body).toEqual({
        kind: 'single',
        singleResult: { errors: [{ message: 'too many', extensions: { code: 'QUERY_TOO_COMPLEX' } }] },
      });
      const bad = await apollo.executeOperation({ query, variables: { n: 'six' } });
      expect(bad.http.status).toBe(400);
      expect(bad.body).toEqual({
        kind: 'single',
        singleResult: {
          errors: [
            {
              message: 'Variable "$n" got invalid value "six"; Int cannot represent non-integer value: "six"',
              extensions: { code: 'BAD_USER_INPUT' },
            },
          ],
        },
      });
      await apollo.executeOperation({ query, variables: { n: 1 } }, { contextValue: { internal: true } });
      expect(seen).toEqual([
        { variableValues: { n: 2 }, internal: false, name: 'Q' },
        { variableValues: { n: 6 }, internal: false, name: 'Q' },
        { variableValues: { n: 1 }, internal: true, name: 'Q' },
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

  it("should parse with the policy's token limit, as Apollo does over HTTP", () => {
    const query = `{ ${Array.from({ length: 30 }, () => 'node { name }').join(' ')} }`;
    // graphql-js's own message ("more that" sic).
    expect(errorsOf(validateOperation(schema, { query }, [], { maxTokens: 50 }))).toEqual([
      expect.stringMatching(/^GRAPHQL_PARSE_FAILED: Syntax Error: Document contains more tha[nt] 50 tokens/),
    ]);
    expect(errorsOf(validateOperation(schema, { query }, [], { maxTokens: 200 }))).toEqual([]);
  });

  it("should validate with the policy's rules, reporting them as validation failures", () => {
    expect(errorsOf(validateOperation(schema, { query: '{ node { name } }' }, [noNode]))).toEqual([
      'GRAPHQL_VALIDATION_FAILED: no node',
    ]);
  });
});
