import crypto from 'node:crypto';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { readInfraConfig } from '@rideshare/common';
import { createTripEvent, type TripSnapshot } from '@rideshare/events';
import {
  seedIfEmpty,
  startService,
  startTestSystem,
  waitFor,
  waitForWorkersReady,
  type RunningService,
  type TestSystem,
} from '@rideshare/testing';
import {
  LOCAL_JWT_SECRET,
  RawSocket,
  craftToken,
  gql,
  record,
  request,
  wsUrl,
  type HttpResult,
} from './security-helpers';

/**
 * A corpus of bad inputs at every door of the system: the gateway's HTTP endpoint, its graphql-ws
 * endpoint and the trip-events topic. Each must get a clear error (status, code, a message naming
 * the problem); afterwards no process has crashed and no data has changed. Ways around
 * authentication (issue 14) are tried on the local-mode gateway and on a production-mode one.
 */

const RUN = crypto.randomBytes(3).toString('hex').toUpperCase();
/** A driver only this run uses: Redis offer channels are shared with other test systems. */
const DRIVER = `BIDRV${RUN}`;
const MAX_BODY_BYTES = 100_000;

type Category =
  | 'http'
  | 'bypass'
  | 'document'
  | 'variables'
  | 'values'
  | 'token'
  | 'persisted query'
  | 'graphql-ws'
  | 'kafka';

interface Case {
  category: Category;
  name: string;
  run: () => Promise<void>;
}

interface Expected {
  status: number;
  code: string;
  message: RegExp;
}

interface DeadLetter {
  key: string;
  reason: string;
  group: string;
}

describe('bad input: a corpus of malformed requests, messages and events', () => {
  let system: TestSystem;
  let url: string;
  /** A production-mode gateway (no Sandbox, no introspection) on the same subgraphs. */
  let production: RunningService;
  let adminToken: string;
  let producer: Producer;
  let dlqReader: Consumer;
  const letters: DeadLetter[] = [];
  const sockets: RawSocket[] = [];
  let before: unknown;

  const kafka = new Kafka({
    clientId: 'bad-input-test',
    brokers: readInfraConfig().kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const topics = () => ({
    events: `${system.prefix}.rideshare.trip-events`,
    deadLetters: `${system.prefix}.rideshare.trip-events.dlq`,
  });
  /** Consumer groups that read trip events; each dead-letters what it cannot parse. */
  const GROUPS = ['alerter', 'archiver', 'notifier', 'simulator', 'trips-orchestrator', 'trips-reporting'];

  /** Everything a bad input could have changed, as an admin sees it. */
  const snapshot = async () => {
    const res = await gql(
      url,
      `{ drivers(limit: 200) { code firstName lastName location { latitude longitude } isAcceptingRides car { year licensePlate } updatedAt }
         passengers(limit: 200) { code firstName lastName email mobileNumber updatedAt }
         trips(limit: 200) { code status version }
         tripStats { total } }`,
      undefined,
      adminToken,
    );
    expect(res.body?.errors).toBeUndefined();
    return res.body?.data;
  };

  const open = async () => {
    const socket = await RawSocket.open(url);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    // The workers run: malformed events must reach the dead-letter topic from every consumer group.
    system = await startTestSystem({ GATEWAY_MAX_BODY_BYTES: String(MAX_BODY_BYTES) });
    url = system.gatewayUrl;
    // Its requests never get past authentication, so any identity secret of the right length will do.
    production = await startService(
      'gateway-production',
      'gateway/src/index.ts',
      {
        ...system.envFor('gateway'),
        APP_MODE: 'production',
        AUTH_JWT_SECRET: LOCAL_JWT_SECRET,
        SUBGRAPH_IDENTITY_SECRET: crypto.randomBytes(24).toString('base64url'),
      },
      () => undefined,
    );
    adminToken = await system.token('admin', `BIADMIN${RUN}`);
    await seedIfEmpty(url, { authorization: `Bearer ${adminToken}` });
    const driver = await gql(
      url,
      'mutation ($input: CreateDriverInput!) { createDriver(input: $input) { code } }',
      {
        input: {
          code: DRIVER,
          firstName: 'Bea',
          lastName: 'Input',
          car: { make: 'Kia', model: 'Niro', year: 2022, color: 'Red', licensePlate: 'BI-1' },
          location: { latitude: 47.6, longitude: -122.3 },
        },
      },
      adminToken,
    );
    expect(driver.body?.errors).toBeUndefined();
    await waitForWorkersReady(system);
    producer = kafka.producer();
    await producer.connect();
    dlqReader = kafka.consumer({ groupId: `${system.prefix}.bad-input-dlq-reader` });
    await dlqReader.connect();
    await dlqReader.subscribe({ topic: topics().deadLetters, fromBeginning: true });
    await dlqReader.run({
      eachMessage: async ({ message }) => {
        letters.push({
          key: String(message.key),
          reason: String(message.headers?.['dlq-reason']),
          group: String(message.headers?.['dlq-consumer-group']),
        });
      },
    });
    before = await snapshot();
  });

  afterAll(async () => {
    sockets.forEach((s) => s.terminate());
    await dlqReader?.disconnect();
    await producer?.disconnect();
    await production?.stop();
    await system?.stop();
  });

  // -------------------------------------------------------------------------------------------
  // The corpus
  // -------------------------------------------------------------------------------------------

  /** Checks an HTTP answer: status, the first error's code and message, and no data for it. */
  const expectAnswer = (res: HttpResult, { status, code, message }: Expected) => {
    const error = res.body?.errors?.[0];
    if (!error) throw new Error(`expected an error, got ${res.status} ${res.text.slice(0, 300)}`);
    expect({ status: res.status, code: error.extensions?.code }).toEqual({ status, code });
    expect(error.message).toMatch(message);
    // A clear error, not a wall of text echoing the input back.
    expect(error.message.length).toBeLessThan(400);
    const data = res.body?.data;
    if (data) expect(Object.values(data).every((v) => v === null)).toBe(true);
  };

  const raw = (body: string, contentType = 'application/json', extra: Record<string, string> = {}) =>
    request(url, {
      headers: { 'content-type': contentType, authorization: `Bearer ${adminToken}`, ...extra },
      body,
    });
  const admin = (query: string, variables?: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    raw(JSON.stringify({ query, variables, ...extra }));
  const withToken = async (token: string | Promise<string>) =>
    gql(url, '{ drivers(limit: 1) { code } }', undefined, undefined, { authorization: await token });

  const http = (
    category: Category,
    name: string,
    send: () => Promise<HttpResult>,
    expected: Expected,
  ): Case => ({
    category,
    name,
    run: async () => expectAnswer(await send(), expected),
  });
  const bad = (status: number, code: string, message: RegExp): Expected => ({ status, code, message });
  const userInput = (message: RegExp) => bad(200, 'BAD_USER_INPUT', message);
  /** A query limit: 400 with the limit's own code. */
  const overLimit = (code: string, message: RegExp) => bad(400, code, message);
  const unauthenticated = (message: RegExp) => bad(401, 'UNAUTHENTICATED', message);

  /** A passenger's trips' passenger's trips … `levels` fields below `passenger`. */
  const nested = (levels: number) => {
    const fields = Array.from({ length: levels }, (_, i) => (i % 2 ? 'passenger' : 'trips'));
    return `{ passenger(code: "PX1001") { ${fields.join(' { ')} { code ${' }'.repeat(levels)} } }`;
  };
  const aliases = (n: number, field: string) =>
    `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
  const place = { latitude: 47.6, longitude: -122.3 };
  const REGISTER = 'mutation ($input: RegisterPassengerInput!) { registerPassenger(input: $input) { code } }';
  const passengerInput = (over: Record<string, unknown>) => ({
    input: { firstName: 'Bad', lastName: 'Input', email: `bad-${RUN}@example.com`, ...over },
  });
  const CREATE_DRIVER = 'mutation ($input: CreateDriverInput!) { createDriver(input: $input) { code } }';
  const driverInput = (over: Record<string, unknown>, car: Record<string, unknown> = {}) => ({
    input: {
      firstName: 'Bad',
      lastName: 'Input',
      car: { make: 'Kia', model: 'Niro', year: 2022, color: 'Red', licensePlate: 'BAD-1', ...car },
      ...over,
    },
  });
  const REQUEST_TRIP = 'mutation ($input: RequestTripInput!) { requestTrip(input: $input) { code } }';
  const tripInput = (over: Record<string, unknown>) => ({
    input: {
      passengerCode: 'PX1001',
      source: place,
      destination: { latitude: 47.7, longitude: -122.3 },
      ...over,
    },
  });
  const MOVE =
    'mutation ($location: GeoPointInput!) { updateDriverLocation(code: "AA100", location: $location) { code } }';

  const httpCases: Case[] = [
    // Transport
    http(
      'http',
      'malformed JSON',
      () => raw('{"query": "{ drivers { code } }"'),
      bad(400, 'BAD_REQUEST', /not valid JSON/),
    ),
    http(
      'http',
      'JSON with a trailing comma',
      () => raw('{"query": "{ __typename }",}'),
      bad(400, 'BAD_REQUEST', /not valid JSON/),
    ),
    http(
      'http',
      'wrong content type (text/plain, a CSRF shape)',
      () => raw('{"query":"{ __typename }"}', 'text/plain'),
      bad(400, 'BAD_REQUEST', /Cross-Site Request Forgery.*content-type/s),
    ),
    http(
      'http',
      'form-encoded body',
      () => raw('query=%7B__typename%7D', 'application/x-www-form-urlencoded'),
      bad(400, 'BAD_REQUEST', /Cross-Site Request Forgery/),
    ),
    http(
      'http',
      'XML body',
      () => raw('<query>{ __typename }</query>', 'application/xml'),
      bad(400, 'BAD_REQUEST', /invalid Content-Type/),
    ),
    http('http', 'empty JSON body', () => raw(''), bad(400, 'BAD_REQUEST', /POST body missing/)),
    http(
      'http',
      'JSON body that is not an object',
      () => raw('42'),
      bad(400, 'BAD_REQUEST', /POST body missing, invalid Content-Type, or JSON object has no keys/),
    ),
    http(
      'http',
      'query that is not a string',
      () => raw('{"query": {"drivers": true}}'),
      bad(400, 'BAD_REQUEST', /queries must be strings/),
    ),
    http(
      'http',
      'variables sent as a string',
      () => raw('{"query": "{ __typename }", "variables": "{}"}'),
      bad(400, 'BAD_REQUEST', /`variables`.*object/),
    ),
    http(
      'http',
      `body just over GATEWAY_MAX_BODY_BYTES (${MAX_BODY_BYTES})`,
      () => admin('{ __typename }', { pad: 'x'.repeat(MAX_BODY_BYTES) }),
      bad(413, 'PAYLOAD_TOO_LARGE', new RegExp(`exceeds ${MAX_BODY_BYTES} bytes`)),
    ),
    http(
      'http',
      'huge body (5 MB)',
      () => admin('{ __typename }', { pad: 'x'.repeat(5_000_000) }),
      bad(413, 'PAYLOAD_TOO_LARGE', new RegExp(`exceeds ${MAX_BODY_BYTES} bytes`)),
    ),
    http(
      'http',
      'batch of 11 operations (limit 10)',
      () => raw(JSON.stringify(Array.from({ length: 11 }, () => ({ query: '{ __typename }' })))),
      bad(400, 'BATCH_TOO_LARGE', /batch of 11 operations exceeds the limit of 10/),
    ),
    http('http', 'empty batch', () => raw('[]'), bad(400, 'BAD_REQUEST', /No operations found/)),
    http(
      'http',
      'PUT instead of POST',
      () =>
        request(url, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
          body: '{"query":"{ __typename }"}',
        }),
      bad(405, 'BAD_REQUEST', /only GET\/POST/),
    ),
    http(
      'http',
      'mutation over GET',
      () =>
        request(
          `${url}?query=${encodeURIComponent('mutation { setDriverAvailability(code: "AA100", isAcceptingRides: false) { code } }')}`,
          {
            method: 'GET',
            headers: { authorization: `Bearer ${adminToken}`, 'apollo-require-preflight': 'true' },
          },
        ),
      bad(405, 'BAD_REQUEST', /GET requests only support query operations/),
    ),
    // The GraphQL document
    http(
      'document',
      'syntax error',
      () => admin('{ drivers { code '),
      bad(400, 'GRAPHQL_PARSE_FAILED', /Syntax Error/),
    ),
    http(
      'document',
      'unknown field',
      () => admin('{ drivers { code salary } }'),
      bad(400, 'GRAPHQL_VALIDATION_FAILED', /Cannot query field "salary" on type "Driver"/),
    ),
    http(
      'document',
      'deep nesting (depth limit 10)',
      () => admin(nested(12)),
      overLimit('QUERY_TOO_DEEP', /Query depth limit of 10 exceeded, found 14/),
    ),
    http(
      'document',
      'alias bomb on a real field (alias limit 20)',
      () => admin(aliases(30, 'drivers(limit: 1) { code }')),
      overLimit('TOO_MANY_ALIASES', /Aliases limit of 20 exceeded, found 30/),
    ),
    http(
      'document',
      'alias bomb of __typename (300 aliases)',
      () => admin(aliases(300, '__typename')),
      overLimit('TOO_MANY_ALIASES', /Aliases limit of 20 exceeded, found 300/),
    ),
    http(
      'document',
      'document over the token limit (1,000 aliases: 3,002 tokens, limit 2000)',
      () => admin(aliases(1000, '__typename')),
      // graphql-js's parser stops there ("more that" sic): no AST is built, nothing validated.
      bad(400, 'GRAPHQL_PARSE_FAILED', /Document contains more tha[nt] 2000 tokens/),
    ),
    http(
      'document',
      'directive bomb (directive limit 50)',
      () => admin(`{ ${'... @include(if: true) { __typename } '.repeat(60)}}`),
      overLimit('TOO_MANY_DIRECTIVES', /Directives limit of 50 exceeded, found 60/),
    ),
    http(
      'document',
      'fragment bomb (cost limit 5000)',
      () =>
        admin(
          '{ trips(limit: 200) { ...A } } fragment A on Trip { availableDrivers { ...B } passenger { ...C } } fragment B on Driver { trips(limit: 200) { code } } fragment C on Passenger { trips(limit: 200) { code } }',
        ),
      overLimit('QUERY_TOO_COMPLEX', /Query cost \d+ exceeds the limit of 5000/),
    ),
    http(
      'document',
      'wide list below a wide list (cost limit 5000)',
      () => admin('{ drivers(limit: 200) { trips(limit: 200) { code } } }'),
      overLimit('QUERY_TOO_COMPLEX', /Query cost 40201 exceeds the limit of 5000/),
    ),
    http(
      'document',
      'wide lists asked for through variables (cost counted with their values)',
      () =>
        admin('query ($n: Int, $m: Int) { drivers(limit: $n) { trips(limit: $m) { code } } }', {
          n: 10_000,
          m: 10_000,
        }),
      overLimit('QUERY_TOO_COMPLEX', /Query cost 40201 exceeds the limit of 5000/),
    ),
    http(
      'document',
      'several operations without operationName',
      () => admin('query A { __typename } query B { __typename }'),
      bad(400, 'BAD_REQUEST', /several operations: send operationName/),
    ),
    http(
      'document',
      'operationName naming no operation',
      () => admin('query A { __typename }', undefined, { operationName: 'Nope' }),
      bad(400, 'BAD_REQUEST', /Unknown operation named "Nope"/),
    ),
    http(
      'document',
      'subscription over HTTP',
      () => admin(`subscription { tripOffers(driverCode: "${DRIVER}") { code } }`),
      bad(400, 'BAD_REQUEST', /Subscriptions are served over WebSocket/),
    ),
    // Variables
    http(
      'variables',
      'missing required variable',
      () => admin('query ($code: ID!) { driver(code: $code) { code } }'),
      bad(400, 'BAD_USER_INPUT', /Variable "\$code" of required type "ID!" was not provided/),
    ),
    http(
      'variables',
      'variable of the wrong type',
      () => admin('query ($limit: Int) { drivers(limit: $limit) { code } }', { limit: 'ten' }),
      bad(400, 'BAD_USER_INPUT', /Int cannot represent non-integer value: "ten"/),
    ),
    http(
      'variables',
      'NaN coordinate',
      () => admin(MOVE, { location: { latitude: 'NaN', longitude: 0 } }),
      bad(400, 'BAD_USER_INPUT', /Float cannot represent non numeric value: "NaN"/),
    ),
    http(
      'variables',
      'unknown input field',
      () => admin(MOVE, { location: { latitude: 1, longitude: 1, altitude: 3 } }),
      bad(400, 'BAD_USER_INPUT', /Field "altitude" is not defined by type "GeoPointInput"/),
    ),
    http(
      'variables',
      'null for a required input field',
      () => admin(REGISTER, passengerInput({ firstName: null })),
      bad(
        400,
        'BAD_USER_INPUT',
        /Field "firstName" of required type "String!" was not provided|Expected non-nullable type "String!" not to be null/,
      ),
    ),
    http(
      'variables',
      'unknown enum value',
      () => admin(REQUEST_TRIP, tripInput({ type: 'LIMOUSINE' })),
      bad(400, 'BAD_USER_INPUT', /Value "LIMOUSINE" does not exist in "TripType" enum/),
    ),
    // Values the subgraphs check
    http(
      'values',
      'latitude out of range (91)',
      () => admin(MOVE, { location: { latitude: 91, longitude: 0 } }),
      userInput(/latitude must be between -90 and 90, got 91/),
    ),
    http(
      'values',
      'longitude out of range (-181) in a trip request',
      () => admin(REQUEST_TRIP, tripInput({ source: { latitude: 47.6, longitude: -181 } })),
      userInput(/input.source: longitude must be between -180 and 180, got -181/),
    ),
    http(
      'values',
      'trip to where it starts',
      () => admin(REQUEST_TRIP, tripInput({ destination: place })),
      userInput(/input.destination: must differ from the source/),
    ),
    http(
      'values',
      'very long name (5,000 characters)',
      () => admin(REGISTER, passengerInput({ firstName: 'x'.repeat(5000) })),
      userInput(/input.firstName: must be at most 100 characters, got 5000/),
    ),
    http(
      'values',
      'very long code (50,000 characters; not echoed back)',
      () => admin('query ($code: ID!) { driver(code: $code) { code } }', { code: 'A'.repeat(50_000) }),
      userInput(/Invalid code: must be 1-40 letters, digits/),
    ),
    http(
      'values',
      'code with illegal characters',
      () => admin('{ trip(code: "../../etc/passwd") { code } }'),
      userInput(/Invalid code: must be 1-40 letters, digits, "-" or "_", got "..\/..\/etc\/passwd"/),
    ),
    http(
      'values',
      'operator injection as a code',
      () => admin('query ($code: ID!) { passenger(code: $code) { code } }', { code: '{"$ne": null}' }),
      userInput(/Invalid code/),
    ),
    http(
      'values',
      'empty name',
      () => admin(REGISTER, passengerInput({ lastName: '   ' })),
      userInput(/input.lastName: must not be empty/),
    ),
    http(
      'values',
      'bad email',
      () => admin(REGISTER, passengerInput({ email: 'ada at example dot com' })),
      userInput(/input.email: must be an email address, got "ada at example dot com"/),
    ),
    http(
      'values',
      'bad phone number',
      () =>
        admin(
          'mutation { updatePassenger(code: "PX1001", input: { mobileNumber: "call me maybe" }) { code } }',
        ),
      userInput(/input.mobileNumber: must be a phone number/),
    ),
    http(
      'values',
      'car from 1800',
      () => admin(CREATE_DRIVER, driverInput({}, { year: 1800 })),
      userInput(/input.car.year: must be between 1950 and \d+, got 1800/),
    ),
    http(
      'values',
      'negative limit',
      () => admin('{ drivers(limit: -1) { code } }'),
      userInput(/limit: must be a positive integer, got -1/),
    ),
    http(
      'values',
      'limit over the maximum',
      () => admin('{ passengers(limit: 100000) { code } }'),
      userInput(/limit: must be at most 200, got 100000/),
    ),
    http(
      'values',
      'search radius of zero',
      () => admin('{ driversNear(location: { latitude: 47.6, longitude: -122.3 }, radiusKm: 0) { code } }'),
      userInput(/radiusKm: must be greater than 0/),
    ),
    http(
      'values',
      'unknown driver code',
      () => admin('{ driver(code: "NO-SUCH-DRIVER") { code } }'),
      bad(200, 'NOT_FOUND', /Driver "NO-SUCH-DRIVER" was not found/),
    ),
    http(
      'values',
      'unknown passenger code in a trip request',
      () => admin(REQUEST_TRIP, tripInput({ passengerCode: 'NO-SUCH-PASSENGER' })),
      bad(200, 'NOT_FOUND', /Passenger "NO-SUCH-PASSENGER" was not found/),
    ),
    http(
      'values',
      'unknown trip code to cancel',
      () => admin('mutation { cancelTrip(code: "NO-SUCH-TRIP") { code } }'),
      bad(200, 'NOT_FOUND', /Trip "NO-SUCH-TRIP" was not found/),
    ),
    http(
      'values',
      'duplicate driver code',
      () => admin(CREATE_DRIVER, driverInput({ code: 'AA100' })),
      bad(200, 'CONFLICT', /Driver "AA100" already exists/),
    ),
    // Tokens
    http(
      'token',
      'no Authorization header',
      () => gql(url, '{ drivers { code } }'),
      unauthenticated(/Authentication required: send Authorization: Bearer <token>/),
    ),
    http(
      'token',
      '"Bearer" without a token',
      () => withToken('Bearer '),
      unauthenticated(/Authorization header must be "Bearer <token>"/),
    ),
    http(
      'token',
      'Basic credentials instead of a bearer token',
      () => withToken('Basic YWRtaW46YWRtaW4='),
      unauthenticated(/must be "Bearer <token>"/),
    ),
    http(
      'token',
      'expired token',
      () =>
        withToken(
          craftToken({ role: 'admin' }, { expiresAt: Math.floor(Date.now() / 1000) - 5 }).then(
            (t) => `Bearer ${t}`,
          ),
        ),
      unauthenticated(/Invalid token \(expired\)/),
    ),
    http(
      'token',
      'token signed with another secret',
      () =>
        withToken(
          craftToken({ role: 'admin' }, { secret: 'not-the-secret-but-long-enough' }).then(
            (t) => `Bearer ${t}`,
          ),
        ),
      unauthenticated(/Invalid token \(bad signature\)/),
    ),
    http(
      'token',
      'token with its payload swapped (signature of another payload)',
      async () => {
        const [head, , signature] = (await craftToken({ role: 'passenger' })).split('.');
        const payload = Buffer.from(
          JSON.stringify({
            role: 'admin',
            sub: 'MALLORY',
            iss: 'rideshare-federation',
            aud: 'rideshare-api',
            exp: 4102444800,
          }),
        ).toString('base64url');
        return withToken(`Bearer ${head}.${payload}.${signature}`);
      },
      unauthenticated(/Invalid token \(bad signature\)/),
    ),
    http(
      'token',
      'unsigned token (alg "none")',
      () =>
        withToken(
          `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"role":"admin","sub":"X"}').toString('base64url')}.`,
        ),
      unauthenticated(/Invalid token \(ERR_JOSE_ALG_NOT_ALLOWED\)/),
    ),
    http(
      'token',
      'token without a subject',
      () => withToken(craftToken({ role: 'admin' }, { sub: null }).then((t) => `Bearer ${t}`)),
      unauthenticated(/claim "sub" \(the person's code\) is missing/),
    ),
    http(
      'token',
      'token with an unknown role',
      () =>
        withToken(craftToken({ role: 'superuser' }, { secret: LOCAL_JWT_SECRET }).then((t) => `Bearer ${t}`)),
      unauthenticated(/claim "role" must be one of passenger, driver, admin, simulator/),
    ),
    http('token', 'not a JWT at all', () => withToken('Bearer hello'), unauthenticated(/Invalid token/)),
    // Automatic persisted queries
    http(
      'persisted query',
      'hash that does not match the query',
      () =>
        admin('{ __typename }', undefined, {
          extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } },
        }),
      bad(400, 'BAD_REQUEST', /provided sha does not match query/),
    ),
    http(
      'persisted query',
      'unsupported persisted-query version',
      () =>
        admin('{ __typename }', undefined, {
          extensions: { persistedQuery: { version: 9, sha256Hash: 'f'.repeat(64) } },
        }),
      bad(400, 'BAD_REQUEST', /Unsupported persisted query version/),
    ),
  ];

  // Ways around authentication (issue 14): operations in the URL under spellings a raw-text check
  // misses, Accept values that do or do not make Apollo serve its landing page, other methods. Each is
  // refused with 401 by both gateways; in production nothing on /graphql goes without a token.
  const PASSENGERS = encodeURIComponent('{passengers{code}}');
  const JSON_OVER_HTML = 'application/json, text/html;q=0.1';
  const APQ = encodeURIComponent(
    JSON.stringify({
      persistedQuery: {
        version: 1,
        sha256Hash: crypto.createHash('sha256').update('{passengers{code}}').digest('hex'),
      },
    }),
  );
  interface Bypass {
    name: string;
    search: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
  }
  const bypasses: Bypass[] = [
    {
      name: 'the reported bypass: ?%71uery=, JSON preferred over HTML (q=0.1), apollo-require-preflight',
      search: `?%71uery=${PASSENGERS}`,
      headers: { accept: JSON_OVER_HTML, 'apollo-require-preflight': 'true' },
    },
    {
      name: '?query= with JSON preferred over HTML',
      search: `?query=${PASSENGERS}`,
      headers: { accept: JSON_OVER_HTML },
    },
    {
      name: '?query= asking for text/html (Apollo would serve its page)',
      search: `?query=${PASSENGERS}`,
      headers: { accept: 'text/html' },
    },
    { name: '?query= with Accept */*', search: `?query=${PASSENGERS}`, headers: { accept: '*/*' } },
    {
      name: '?query= with Accept text/html, application/json',
      search: `?query=${PASSENGERS}`,
      headers: { accept: 'text/html, application/json' },
    },
    {
      name: '?query= with Accept TEXT/HTML (upper case)',
      search: `?query=${PASSENGERS}`,
      headers: { accept: 'TEXT/HTML' },
    },
    {
      name: '?query= with only text/html;q=0.1 acceptable',
      search: `?query=${PASSENGERS}`,
      headers: { accept: 'text/html;q=0.1' },
    },
    { name: '?query= without an Accept header', search: `?query=${PASSENGERS}` },
    {
      name: 'duplicate parameters (?query=&query=…)',
      search: `?query=&query=${PASSENGERS}`,
      headers: { accept: JSON_OVER_HTML },
    },
    {
      name: 'another letter encoded (?qu%65ry=)',
      search: `?qu%65ry=${PASSENGERS}`,
      headers: { accept: JSON_OVER_HTML },
    },
    {
      name: 'upper-case hex (?%71%75ery=)',
      search: `?%71%75ery=${PASSENGERS}`,
      headers: { accept: 'text/html' },
    },
    {
      name: 'a double-encoded name (?%2571uery=)',
      search: `?%2571uery=${PASSENGERS}`,
      headers: { accept: 'text/html' },
    },
    { name: 'operationName only', search: '?operationName=Passengers', headers: { accept: JSON_OVER_HTML } },
    {
      name: 'extensions only (an APQ hash, no query)',
      search: `?extensions=${APQ}`,
      headers: { accept: JSON_OVER_HTML },
    },
    {
      name: 'extensions only, asking for text/html',
      search: `?extensions=${APQ}`,
      headers: { accept: 'text/html' },
    },
    { name: 'variables only', search: '?variables=%7B%7D', headers: { accept: JSON_OVER_HTML } },
    { name: 'an empty parameter (?&)', search: '?&', headers: { accept: 'text/html' } },
    {
      name: 'HEAD with a query',
      search: `?query=${PASSENGERS}`,
      method: 'HEAD',
      headers: { accept: JSON_OVER_HTML },
    },
    { name: 'HEAD for the page', search: '', method: 'HEAD', headers: { accept: 'text/html' } },
    {
      name: 'POST asking for text/html',
      search: '',
      method: 'POST',
      headers: { accept: 'text/html', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ passengers { code } }' }),
    },
    {
      name: 'POST asking for text/html with the operation in the URL',
      search: `?query=${PASSENGERS}`,
      method: 'POST',
      headers: { accept: 'text/html', 'content-type': 'application/json' },
      body: '{}',
    },
    {
      name: '?query= with a bad token, asking for text/html',
      search: `?query=${PASSENGERS}`,
      headers: { accept: 'text/html', authorization: 'Bearer not-a-token' },
    },
  ];
  /** 401 UNAUTHENTICATED and nothing else: no data, no page (a HEAD answer has no body to read). */
  const expectUnauthenticated = async (res: HttpResult, method: string, token: boolean) => {
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    if (method === 'HEAD') {
      expect({ status: res.status, body: res.text }).toEqual({ status: 401, body: '' });
      return;
    }
    expectAnswer(res, unauthenticated(token ? /Invalid token/ : /Authentication required/));
    expect(res.body?.data).toBeUndefined();
  };
  const gateways = () => ({ local: url, production: production.url });
  const bypassCase = (mode: 'local' | 'production', b: Bypass): Case => ({
    category: 'bypass',
    name: `${mode} mode: ${b.name}`,
    run: async () => {
      const method = b.method ?? 'GET';
      const res = await request(`${gateways()[mode]}${b.search}`, {
        method,
        headers: b.headers,
        body: b.body,
      });
      await expectUnauthenticated(res, method, Boolean(b.headers?.authorization));
    },
  });
  const bypassCases: Case[] = [
    ...bypasses.map((b) => bypassCase('local', b)),
    ...bypasses.map((b) => bypassCase('production', b)),
    // Production has no Sandbox: even the page itself needs a token.
    bypassCase('production', {
      name: 'a browser GET for the page',
      search: '',
      headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
    }),
  ];

  // graphql-ws: raw sockets speaking graphql-transport-ws.
  const offersQuery = `subscription { tripOffers(driverCode: "${DRIVER}") { code } }`;
  const closes = (
    name: string,
    steps: (s: RawSocket) => Promise<void>,
    code: number,
    reason: RegExp,
  ): Case => ({
    category: 'graphql-ws',
    name,
    run: async () => {
      const socket = await open();
      await steps(socket);
      const closed = await socket.closedWithin();
      expect(closed.code).toBe(code);
      expect(closed.reason).toMatch(reason);
    },
  });
  /** The subscription is refused with an `error` message; the socket stays usable. */
  const refused = (name: string, payload: Record<string, unknown>, code: string, message: RegExp): Case => ({
    category: 'graphql-ws',
    name,
    run: async () => {
      const socket = await open();
      await socket.init(adminToken);
      socket.send({ id: 'bad', type: 'subscribe', payload });
      const answer = await socket.next((m) => m.id === 'bad', 'the answer to the bad operation');
      expect(answer.type).toBe('error');
      const [error] = answer.payload as Array<{ message: string; extensions?: { code?: string } }>;
      expect(error?.extensions?.code).toBe(code);
      expect(error?.message).toMatch(message);
      // Still connected: a good operation on the same socket works.
      socket.send({
        id: 'good',
        type: 'subscribe',
        payload: { query: '{ driver(code: "AA100") { code } }' },
      });
      const good = await socket.next((m) => m.id === 'good' && m.type === 'next', 'the good operation');
      expect(good.payload).toEqual({ data: { driver: { code: 'AA100' } } });
    },
  });
  const init = (s: RawSocket) => s.init(adminToken);
  const wsCases: Case[] = [
    closes(
      'subscribe before connection_init',
      async (s) => s.send({ id: '1', type: 'subscribe', payload: { query: offersQuery } }),
      4401,
      /Unauthorized/,
    ),
    closes(
      'invalid JSON after connection_init',
      async (s) => {
        await init(s);
        s.send('{"type": "subscribe", not json');
      },
      4400,
      /Invalid message received/,
    ),
    closes(
      'subscribe without id and payload',
      async (s) => {
        await init(s);
        s.send({ type: 'subscribe' });
      },
      4400,
      /Invalid message received/,
    ),
    closes(
      'unknown message type',
      async (s) => {
        await init(s);
        s.send({ type: 'give_me_everything' });
      },
      4400,
      /Invalid message received/,
    ),
    closes(
      'duplicate subscription id',
      async (s) => {
        await init(s);
        // The id is taken as soon as the first subscribe is read; the second one comes while it runs.
        s.send({ id: 'same', type: 'subscribe', payload: { query: offersQuery } });
        s.send({ id: 'same', type: 'subscribe', payload: { query: offersQuery } });
      },
      4409,
      /Subscriber for same already exists/,
    ),
    closes(
      'connection_init with an invalid token',
      async (s) => s.send({ type: 'connection_init', payload: { authorization: 'Bearer not-a-token' } }),
      4403,
      /Forbidden/,
    ),
    closes(
      'connection_init with an expired token',
      async (s) =>
        s.send({
          type: 'connection_init',
          payload: {
            authorization: `Bearer ${await craftToken({ role: 'admin' }, { expiresAt: Math.floor(Date.now() / 1000) - 5 })}`,
          },
        }),
      4403,
      /Forbidden/,
    ),
    closes(
      'connection_init without a token',
      async (s) => s.send({ type: 'connection_init' }),
      4403,
      /Forbidden/,
    ),
    closes(
      'a second connection_init',
      async (s) => {
        await init(s);
        s.send({ type: 'connection_init', payload: { authorization: `Bearer ${adminToken}` } });
      },
      4429,
      /Too many initialisation requests/,
    ),
    closes(
      'message over GATEWAY_WS_MAX_MESSAGE_BYTES (100,000)',
      async (s) => {
        await init(s);
        s.send({
          id: 'big',
          type: 'subscribe',
          payload: { query: `{ __typename } # ${'x'.repeat(150_000)}` },
        });
      },
      1009, // Message Too Big (ws sends no reason with it)
      /^(Max payload size exceeded)?$/,
    ),
    refused(
      'subscription selecting an unknown field',
      { query: `subscription { tripOffers(driverCode: "${DRIVER}") { code salary } }` },
      'GRAPHQL_VALIDATION_FAILED',
      /Cannot query field "salary" on type "Trip"/,
    ),
    refused(
      'subscription argument of the wrong type',
      { query: 'subscription { tripUpdated(code: "X", afterVersion: "abc") { version } }' },
      'GRAPHQL_VALIDATION_FAILED',
      /Int cannot represent non-integer value: "abc"/,
    ),
    refused(
      'subscription too deep',
      {
        query:
          'subscription { tripUpdated(code: "X") { trip { passenger { trips { passenger { trips { passenger { trips { passenger { trips { passenger { trips { code } } } } } } } } } } } } }',
      },
      'QUERY_TOO_DEEP',
      /Query depth limit of 10 exceeded, found 13/,
    ),
    refused(
      'subscription with wide lists asked for through a variable',
      {
        query:
          'subscription ($n: Int) { tripUpdated(code: "X") { trip { availableDrivers { trips(limit: $n) { passenger { trips(limit: $n) { code } } } } } } }',
        variables: { n: 10_000 },
      },
      'QUERY_TOO_COMPLEX',
      /Query cost \d+ exceeds the limit of 5000/,
    ),
    refused(
      'subscription with an alias bomb',
      { query: `subscription { tripUpdated(code: "X") { ${aliases(25, 'version').slice(2, -2)} } }` },
      'TOO_MANY_ALIASES',
      /Aliases limit of 20 exceeded, found 25/,
    ),
    refused(
      'subscription with a syntax error',
      { query: 'subscription { tripUpdated(code: "X") { version }' },
      'GRAPHQL_PARSE_FAILED',
      /Syntax Error/,
    ),
    refused(
      'subscription to an unknown trip',
      { query: 'subscription { tripUpdated(code: "NO-SUCH-TRIP") { version } }' },
      'NOT_FOUND',
      /Trip "NO-SUCH-TRIP" was not found/,
    ),
    refused(
      'negative afterVersion',
      {
        query: 'subscription ($v: Int) { tripUpdated(code: "X", afterVersion: $v) { version } }',
        variables: { v: -1 },
      },
      'BAD_USER_INPUT',
      /Invalid afterVersion: must be a non-negative integer, got -1/,
    ),
    refused(
      'subscription variable of the wrong type',
      {
        query: 'subscription ($code: ID!) { tripUpdated(code: $code) { version } }',
        variables: { code: { $ne: null } },
      },
      'BAD_USER_INPUT',
      /ID cannot represent value/,
    ),
    {
      category: 'graphql-ws',
      name: 'query with errors sent over the socket (answered as a result; the socket stays open)',
      run: async () => {
        const client = createClient({
          url: wsUrl(url),
          webSocketImpl: WebSocket,
          retryAttempts: 0,
          connectionParams: { authorization: `Bearer ${adminToken}` },
        });
        try {
          const answer = record<unknown>(client, 'driver', '{ driver(code: "NO-SUCH-DRIVER") { code } }');
          await answer.settled();
          expect(answer.failure).toBeUndefined();
          expect(answer.nextErrors).toMatchObject([
            { message: 'Driver "NO-SUCH-DRIVER" was not found', extensions: { code: 'NOT_FOUND' } },
          ]);
          const next = record<{ code: string }>(client, 'driver', '{ driver(code: "AA100") { code } }');
          expect(await next.received(1)).toEqual([{ code: 'AA100' }]);
        } finally {
          await client.dispose();
        }
      },
    },
  ];

  // Kafka: malformed trip events on the system's topic.
  const snapshotOf = (code: string): TripSnapshot => ({
    code,
    type: 'NORMAL',
    status: 'REQUESTED',
    passengerCode: 'PX1001',
    driverCode: null,
    availableDriverCodes: [],
    source: place,
    destination: { latitude: 47.7, longitude: -122.3 },
    driverLocation: null,
    requestedAt: new Date().toISOString(),
    acceptedAt: null,
    startedAt: null,
    endedAt: null,
    durationSeconds: null,
    monitorIterations: 0,
    error: null,
    version: 1,
  });
  const validEvent = (code: string) =>
    createTripEvent('TRIP_REQUESTED', snapshotOf(code), 'bad-input-test', new Date());
  const deadLettered = (name: string, value: () => string | null, reason: RegExp): Case => ({
    category: 'kafka',
    name,
    run: async () => {
      const key = `BADEV-${RUN}-${name.replace(/\W+/g, '-')}`;
      await producer.send({ topic: topics().events, messages: [{ key, value: value() }] });
      const mine = await waitFor(
        () => {
          const found = letters.filter((l) => l.key === key);
          return new Set(found.map((l) => l.group)).size === GROUPS.length && found;
        },
        {
          timeoutMs: 30_000,
          what: `${key} dead-lettered by ${GROUPS.join(', ')} (have ${letters
            .filter((l) => l.key === key)
            .map((l) => l.group)
            .join(', ')})`,
        },
      );
      expect([...new Set(mine.map((l) => l.group.replace(`${system.prefix}.`, '')))].sort()).toEqual(GROUPS);
      for (const letter of mine) expect(letter.reason).toMatch(reason);
    },
  });
  const kafkaCases: Case[] = [
    deadLettered('event that is not JSON', () => 'this is not json', /message value is not JSON/),
    deadLettered('event with no value', () => null, /message has no value/),
    deadLettered(
      'event missing its fields',
      () => JSON.stringify({ specversion: '1.0', id: 'x:1' }),
      /invalid trip event/,
    ),
    deadLettered(
      'event whose version disagrees with its snapshot',
      () => {
        const event = validEvent(`BADV${RUN}`);
        return JSON.stringify({ ...event, data: { ...event.data, version: 7 } });
      },
      /version must agree with the trip snapshot/,
    ),
    deadLettered(
      'event of an unknown CloudEvents type',
      () => JSON.stringify({ ...validEvent(`BADT${RUN}`), type: 'rideshare.trip.TripTeleported' }),
      /invalid trip event: type/,
    ),
    deadLettered(
      'event with out-of-range coordinates',
      () => {
        const event = validEvent(`BADC${RUN}`);
        return JSON.stringify({
          ...event,
          data: { ...event.data, trip: { ...event.data.trip, source: { latitude: 200, longitude: 0 } } },
        });
      },
      /invalid trip event: data.trip.source.latitude/,
    ),
    deadLettered(
      'event of another spec version',
      () => JSON.stringify({ ...validEvent(`BADS${RUN}`), specversion: '0.3' }),
      /invalid trip event: specversion/,
    ),
  ];

  const corpus = [...httpCases, ...bypassCases, ...wsCases, ...kafkaCases];

  it('should hold at least 40 cases, and every bypass in both modes', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    expect(bypassCases).toHaveLength(2 * bypasses.length + 1);
  });

  it('should serve Sandbox without a token to a browser GET in local mode, and nothing else with it', async () => {
    const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const page = await request(url, { method: 'GET', headers: { accept: browser } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toMatch(/embeddable-sandbox/);
    // The same request with an operation in the URL is an API request: it needs the token.
    const withQuery = await request(`${url}?query=${PASSENGERS}`, {
      method: 'GET',
      headers: { accept: browser },
    });
    expect(withQuery.status).toBe(401);
  });

  it.each(corpus.map((c) => ({ ...c, title: `should answer ${c.category}: ${c.name} with a clear error` })))(
    '$title',
    async ({ run }) => {
      await run();
    },
  );

  // -------------------------------------------------------------------------------------------
  // After the corpus
  // -------------------------------------------------------------------------------------------

  it('should leave every process running and ready', async () => {
    for (const service of [...system.services.values(), production]) {
      expect({
        name: service.name,
        exitCode: service.child.exitCode,
        signal: service.child.signalCode,
      }).toEqual({
        name: service.name,
        exitCode: null,
        signal: null,
      });
      const ready = await fetch(`http://127.0.0.1:${service.port}/health/ready`);
      expect({ name: service.name, status: ready.status }).toEqual({ name: service.name, status: 200 });
    }
  });

  it('should change no data: drivers, passengers and trips are exactly as before the corpus', async () => {
    expect(await snapshot()).toEqual(before);
  });
});
