import http from 'node:http';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { failureKind, PermanentError } from '../src/failure';
import { listen } from '../src/http';
import {
  classifyErrors,
  graphqlClient,
  GraphQLClientError,
  isNotFoundError,
  parseReply,
  postGraphQL,
  selectionProblem,
  statusKind,
} from '../src/graphql-client';

const PassengerDocument: TypedDocumentNode<{ passenger: { code: string } | null }, { code: string }> = parse(
  'query Passenger($code: ID!) { passenger(code: $code) { code } }',
);

const error = (code: string, message = `${code} happened`) => ({ message, extensions: { code } });

describe('classifyErrors', () => {
  it.each([
    'GRAPHQL_VALIDATION_FAILED',
    'GRAPHQL_PARSE_FAILED',
    'BAD_USER_INPUT',
    'BAD_REQUEST',
    'UNAUTHENTICATED',
    'FORBIDDEN',
    'NOT_FOUND',
    'CONFLICT',
  ])('should call %s permanent', (code) => {
    expect(classifyErrors([error(code)], 200)).toEqual({ kind: 'permanent', code });
  });

  it.each(['INTERNAL_SERVER_ERROR', 'SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_TIMEOUT', 'RATE_LIMITED'])(
    'should call %s transient',
    (code) => {
      expect(classifyErrors([error(code)], 200)).toEqual({ kind: 'transient', code });
    },
  );

  it('should call the call permanent when any of its errors is, since a retry fails on it again', () => {
    expect(classifyErrors([error('INTERNAL_SERVER_ERROR'), error('NOT_FOUND')], 200)).toEqual({
      kind: 'permanent',
      code: 'NOT_FOUND',
    });
  });

  it('should leave unknown or missing codes to the HTTP status', () => {
    expect(classifyErrors([error('SOMETHING_NEW')], 200)).toEqual({
      kind: 'transient',
      code: 'SOMETHING_NEW',
    });
    expect(classifyErrors([error('SOMETHING_NEW')], 400)).toEqual({
      kind: 'permanent',
      code: 'SOMETHING_NEW',
    });
    expect(classifyErrors([{ message: 'no code' }], 503)).toEqual({ kind: 'transient', code: undefined });
  });
});

describe('statusKind', () => {
  it('should call 4xx permanent except 408 and 429', () => {
    expect([400, 401, 403, 404, 409, 413, 422].map(statusKind)).toEqual(Array(7).fill('permanent'));
    expect([408, 429].map(statusKind)).toEqual(['transient', 'transient']);
  });

  it('should call 5xx transient', () => {
    expect([500, 502, 503, 504].map(statusKind)).toEqual(Array(4).fill('transient'));
  });
});

describe('failureKind', () => {
  it('should read the kind of classified errors and take anything else for transient', () => {
    expect(failureKind(new PermanentError('unusable'))).toBe('permanent');
    const err = new GraphQLClientError({ service: 's', operation: 'o', kind: 'transient', detail: 'd' });
    expect(failureKind(err)).toBe('transient');
    expect(failureKind(new Error('boom'))).toBe('transient');
    expect(failureKind('a string')).toBe('transient');
  });
});

describe('parseReply', () => {
  it('should accept a GraphQL response and keep every key the server sent', () => {
    const body = { data: null, errors: [{ ...error('NOT_FOUND'), locations: [{ line: 1, column: 2 }] }] };
    expect(parseReply(JSON.stringify(body))).toEqual({ response: body });
  });

  it.each([
    ['<html>Bad Gateway</html>', /not JSON/],
    ['[1, 2]', /not a GraphQL response/],
    ['{"data": null}', /without errors must carry data/],
    ['{"errors": "nope"}', /errors/],
    ['{"errors": [{"extensions": {"code": "X"}}]}', /errors\.0\.message/],
    ['{"errors": [{"message": "m", "extensions": {"code": 7}}]}', /extensions\.code/],
  ])('should say what is wrong with %s', (text, problem) => {
    const reply = parseReply(text);
    expect('problem' in reply && reply.problem).toMatch(problem);
  });
});

describe('selectionProblem', () => {
  const doc = parse(`
    query Q {
      list { code car { make } }
      renamed: driver { code }
      maybe @include(if: false) { code }
      node { ... on Driver { code } ...More }
    }
    fragment More on Driver { firstName }
  `);
  const good = { list: [{ code: 'A', car: { make: 'Kia' } }], renamed: null, node: { code: 'B' } };

  it('should accept data of the selected shape, nulls and left-out conditional fields included', () => {
    expect(selectionProblem(good, doc)).toBeUndefined();
  });

  it('should name the first field that does not fit', () => {
    expect(selectionProblem({ ...good, list: [{ code: 'A' }] }, doc)).toBe('data.list[0].car is missing');
    expect(selectionProblem({ ...good, renamed: 'x' }, doc)).toBe('data.renamed is not an object');
    expect(selectionProblem({ ...good, list: [{ code: {}, car: null }] }, doc)).toBe(
      'data.list[0].code is not a scalar',
    );
    expect(selectionProblem({ list: [], node: null }, doc)).toBe('data.renamed is missing');
  });
});

describe('graphqlClient', () => {
  let reply: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;
  const received: Array<{ headers: http.IncomingHttpHeaders; body: unknown }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(body) });
      reply(req, body, res);
    });
  });
  let url = '';
  const send = (status: number, body: unknown, contentType = 'application/json') => {
    reply = (_req, _body, res) => {
      res.writeHead(status, { 'content-type': contentType });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
  };
  const client = () =>
    graphqlClient({ service: 'passengers', url, timeoutMs: 500, headers: () => ({ 'x-from': 'test' }) });
  const failure = async (promise: Promise<unknown>): Promise<GraphQLClientError> => {
    const err: unknown = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof GraphQLClientError))
      throw new Error(`expected a GraphQLClientError, got ${String(err)}`);
    return err;
  };

  beforeAll(async () => {
    url = `http://127.0.0.1:${await listen(server, 0)}/graphql`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    received.length = 0;
  });

  it('should send the operation with its variables and headers, and return the data', async () => {
    send(200, { data: { passenger: { code: 'P1' } } });
    const data = await client().call(
      PassengerDocument,
      { code: 'P1' },
      { headers: { authorization: 'Bearer t' } },
    );
    expect(data.passenger?.code).toBe('P1');
    expect(received[0]?.body).toMatchObject({ operationName: 'Passenger', variables: { code: 'P1' } });
    expect(JSON.stringify(received[0]?.body)).toContain('query Passenger($code: ID!)');
    expect(received[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-from': 'test',
      authorization: 'Bearer t',
    });
  });

  it('should throw a permanent error naming service, operation and code for a refusal', async () => {
    send(200, { data: { passenger: null }, errors: [error('NOT_FOUND', 'Passenger "P9" was not found')] });
    const err = await failure(client().call(PassengerDocument, { code: 'P9' }));
    expect(err).toMatchObject({
      kind: 'permanent',
      code: 'NOT_FOUND',
      service: 'passengers',
      operation: 'Passenger',
    });
    expect(err.message).toBe('passengers Passenger: Passenger "P9" was not found (NOT_FOUND)');
    expect(isNotFoundError(err)).toBe(true);
  });

  it('should call a validation failure sent with HTTP 400 permanent', async () => {
    send(400, { errors: [error('GRAPHQL_VALIDATION_FAILED', 'Cannot query field "x"')] });
    const err = await failure(client().call(PassengerDocument, { code: 'P1' }));
    expect(err).toMatchObject({ kind: 'permanent', code: 'GRAPHQL_VALIDATION_FAILED', status: 400 });
    expect(isNotFoundError(err)).toBe(false);
  });

  it('should call a non-JSON reply from a 5xx transient and from a 4xx permanent', async () => {
    send(502, '<html>Bad Gateway</html>', 'text/html');
    const badGateway = await failure(client().call(PassengerDocument, { code: 'P1' }));
    expect(badGateway).toMatchObject({ kind: 'transient', status: 502 });
    expect(badGateway.message).toMatch(/^passengers Passenger: HTTP 502, reply is not JSON/);
    send(404, 'Not Found', 'text/plain');
    expect(await failure(client().call(PassengerDocument, { code: 'P1' }))).toMatchObject({
      kind: 'permanent',
      status: 404,
    });
  });

  it('should call rate limits and internal errors transient', async () => {
    send(429, { errors: [error('RATE_LIMITED')] });
    expect(await failure(client().call(PassengerDocument, { code: 'P1' }))).toMatchObject({
      kind: 'transient',
    });
    send(200, { data: null, errors: [error('INTERNAL_SERVER_ERROR')] });
    expect(await failure(client().call(PassengerDocument, { code: 'P1' }))).toMatchObject({
      kind: 'transient',
      code: 'INTERNAL_SERVER_ERROR',
    });
  });

  it('should refuse partial data and data of another shape', async () => {
    send(200, { data: { passenger: { code: 'P1' } }, errors: [error('INTERNAL_SERVER_ERROR')] });
    await expect(client().call(PassengerDocument, { code: 'P1' })).rejects.toThrow(GraphQLClientError);
    send(200, { data: { someoneElse: true } });
    const other = await failure(client().call(PassengerDocument, { code: 'P1' }));
    expect(other.kind).toBe('transient');
    expect(other.message).toContain('data.passenger is missing');
  });

  it('should call a reply that does not come in time transient', async () => {
    reply = () => undefined; // never answers
    expect(await failure(client().call(PassengerDocument, { code: 'P1' }))).toMatchObject({
      kind: 'transient',
      message: 'passengers Passenger: no reply within 500 ms',
    });
  });

  it('should call an unreachable server transient', async () => {
    const closed = http.createServer();
    const port = await listen(closed, 0);
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = graphqlClient({ service: 'drivers', url: `http://127.0.0.1:${port}/graphql` });
    const err = await failure(unreachable.call(PassengerDocument, { code: 'P1' }));
    expect(err.kind).toBe('transient');
    expect(err.message).toMatch(/^drivers Passenger: unreachable at .*ECONNREFUSED/);
  });

  describe('postGraphQL', () => {
    it('should return the reply with its errors as it came, whatever the status', async () => {
      const body = { errors: [{ ...error('GRAPHQL_PARSE_FAILED'), locations: [{ line: 1, column: 3 }] }] };
      send(400, body);
      expect(await postGraphQL(url, '{ (', undefined, { 'x-test': '1' })).toEqual(body);
      expect(received[0]?.body).toEqual({ query: '{ (' });
      expect(received[0]?.headers['x-test']).toBe('1');
    });

    it('should check the data against the query and throw when no GraphQL reply came', async () => {
      send(200, { data: { passenger: { code: 'P1' } } });
      const res = await postGraphQL<{ passenger: { code: string } }>(
        url,
        '{ passenger(code: "P1") { code } }',
      );
      expect(res.data?.passenger.code).toBe('P1');
      await expect(postGraphQL(url, '{ other }')).rejects.toThrow(/data\.other is missing/);
      send(503, 'unavailable', 'text/plain');
      await expect(postGraphQL(url, '{ other }')).rejects.toMatchObject({ kind: 'transient', status: 503 });
    });
  });
});
