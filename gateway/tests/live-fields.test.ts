import { Supergraph } from '@apollo/federation-internals';
import { getOperationAST, parse, type GraphQLSchema } from 'graphql';
import { readSupergraph } from '@rideshare/schema';
import type { Identity } from '@rideshare/common';
import { readLiveFields, type LiveFieldSpec } from '../src/subscriptions/live-directive';
import { planSubscription } from '../src/subscriptions/operation';
import { resolveVariables } from '../src/subscriptions/payloads';
import { isEnd, shape } from '../src/subscriptions/streams';

const sdl = readSupergraph();
const api: GraphQLSchema = Supergraph.build(sdl).apiSchema().toGraphQLJSSchema();
const admin: Identity = { role: 'admin', code: 'A1' };

function plan(query: string, variables: Record<string, unknown> = {}, specs = readLiveFields(sdl, api)) {
  const document = parse(query);
  const operation = getOperationAST(document);
  if (!operation) throw new Error('no operation');
  return planSubscription(
    api,
    (field) => specs.fields.get(field) ?? specs.problems.get(field) ?? 'no such field',
    document,
    operation,
    variables,
    admin,
  );
}

describe('live fields read from the supergraph', () => {
  it('should serve every Subscription field of the committed supergraph, with no problem', () => {
    const { fields, problems } = readLiveFields(sdl, api);
    expect([...problems]).toEqual([]);
    expect([...fields.keys()].sort()).toEqual(['driverLocationUpdated', 'tripOffers', 'tripUpdated']);
  });

  it('should read channel, resume and end condition of a resumable field', () => {
    const spec = readLiveFields(sdl, api).fields.get('tripUpdated') as LiveFieldSpec;
    expect(spec.channel).toBe('trip:{code}');
    expect(spec.resume).toEqual({ argument: 'afterVersion', versionField: 'version' });
    expect(spec.end?.field).toBe('status');
    expect([...(spec.end?.values ?? [])].sort()).toEqual(['ABORTED', 'COMPLETED']);
    expect(spec.checkRoot).toBe('trip');
    expect(spec.payloadPath).toEqual(['tripUpdate']);
  });

  it('should find the payload path inside the resolve query of a live-only field', () => {
    const spec = readLiveFields(sdl, api).fields.get('tripOffers') as LiveFieldSpec;
    expect(spec.payloadPath).toEqual(['tripUpdate', 'trip']);
    expect(spec.resume).toBeUndefined();
    expect(spec.end).toBeUndefined();
  });

  it.each([
    ['a channel naming no argument', 'channel: "trip:{id}"', /channel names \{id\}/],
    [
      'a check that does not validate',
      'check: "query ($driverCode: ID!) { driver(code: $driverCode) { salary } }"',
      /check is invalid/,
    ],
    [
      'a resolve without ...Payload',
      'resolve: "query ($code: ID!) { trip(code: $code) { code } }"',
      /no \.\.\.Payload/,
    ],
    [
      'a check using a variable that is no argument',
      'check: "query ($id: ID!) { trip(code: $id) { code } }"',
      /\$id/,
    ],
    [
      'a mutation as check',
      'check: "mutation ($code: ID!) { cancelTrip(code: $code) { code } }"',
      /must be a query/,
    ],
  ])('should refuse to serve a field with %s, saying why', (_what, replacement, problem) => {
    const [name] = replacement.split(':');
    const broken = sdl.replace(
      new RegExp(`(tripOffers\\(driverCode: ID!\\): Trip! .*?@live\\(.*?)${name}: "(?:[^"\\\\]|\\\\.)*"`),
      (_m, before: string) => `${before}${replacement}`,
    );
    expect(broken).not.toBe(sdl);
    const { fields, problems } = readLiveFields(broken, api);
    expect(fields.has('tripOffers')).toBe(false);
    expect(problems.get('tripOffers')).toMatch(problem);
    expect(fields.has('tripUpdated')).toBe(true);
  });
});

describe('planSubscription', () => {
  it('should coerce root arguments with graphql-js and splice the selection into resolve', () => {
    const p = plan(
      'subscription ($c: ID!, $n: Int) { t: tripUpdated(code: $c, afterVersion: $n) { version trip { code } } }',
      { c: 'T1', n: 3 },
    );
    expect(p.args).toEqual({ code: 'T1', afterVersion: 3 });
    expect(p.responseKey).toBe('t');
    expect(p.payloadQuery).toContain('tripUpdate(code: $__live_code, version: $__live_version)');
    expect(p.payloadQuery).toMatch(/\.\.\. \{\s*version\s*trip \{\s*code\s*\}\s*\}/);
    expect(resolveVariables(p, 4)).toEqual({ code: 'T1', version: 4 });
  });

  it('should keep the subscriber variables the selection uses, and its fragments', () => {
    const p = plan(
      'subscription ($d: ID!, $limit: Int, $unused: Int) { tripOffers(driverCode: $d) { ...F } } fragment F on Trip { passenger { trips(limit: $limit) { code } } }',
      { d: 'D1', limit: 2, unused: 1 },
    );
    expect(p.payloadVariables).toEqual({ limit: 2 });
    expect(p.payloadQuery).toContain('$limit: Int');
    expect(p.payloadQuery).not.toContain('$unused');
    expect(p.payloadQuery).toContain('fragment F on Trip');
    // The offer's trip comes from the signal, not from the driver's code argument.
    expect(resolveVariables(p, 7, { code: 'T9' })).toEqual({ code: 'T9', version: 7 });
  });

  it('should give the same selection key to the same selection and caller only', () => {
    const a = plan('subscription { tripUpdated(code: "T1") { version } }');
    const b = plan('subscription { tripUpdated(code: "T2") { version } }');
    const c = plan('subscription { tripUpdated(code: "T1") { event } }');
    expect(a.selectionKey).toBe(b.selectionKey);
    expect(a.selectionKey).not.toBe(c.selectionKey);
  });

  it.each([
    [
      'a negative resume version',
      'subscription { tripUpdated(code: "T1", afterVersion: -1) { version } }',
      /Invalid afterVersion: must be a non-negative integer, got -1/,
    ],
    [
      'two root fields',
      'subscription { a: tripUpdated(code: "T1") { version } b: tripUpdated(code: "T2") { version } }',
      /exactly one root field/,
    ],
  ])('should refuse %s with BAD_USER_INPUT', (_what, query, message) => {
    expect(() => plan(query)).toThrow(message);
  });

  it('should refuse a Subscription field without @live, naming why', () => {
    const specs = readLiveFields(sdl, api);
    const without = {
      fields: new Map([...specs.fields].filter(([k]) => k !== 'tripOffers')),
      problems: new Map([['tripOffers', 'it has no @live directive']]),
    };
    expect(() => plan('subscription { tripOffers(driverCode: "D1") { code } }', {}, without)).toThrow(
      'Unknown subscription field "tripOffers": it has no @live directive',
    );
  });
});

describe('shape and end condition', () => {
  it('should take the payload at the field path and rename error paths to the subscriber field', () => {
    const p = plan('subscription { offer: tripOffers(driverCode: "D1") { code passenger { firstName } } }');
    const shaped = shape(p, {
      data: { tripUpdate: { trip: { code: 'T1', passenger: null } } },
      errors: [{ message: 'no', path: ['tripUpdate', 'trip', 'passenger'] } as never],
    });
    expect(shaped.data).toEqual({ offer: { code: 'T1', passenger: null } });
    expect(shaped.errors?.[0]?.path).toEqual(['offer', 'passenger']);
    expect(shape(p, { data: null }).data).toEqual({ offer: null });
  });

  it('should end on the declared values of the declared field only', () => {
    const spec = readLiveFields(sdl, api).fields.get('tripUpdated') as LiveFieldSpec;
    expect(isEnd(spec, { status: 'COMPLETED' })).toBe(true);
    expect(isEnd(spec, { status: 'RUNNING' })).toBe(false);
    expect(isEnd(spec, {})).toBe(false);
    const offers = readLiveFields(sdl, api).fields.get('tripOffers') as LiveFieldSpec;
    expect(isEnd(offers, { status: 'COMPLETED' })).toBe(false);
  });
});
