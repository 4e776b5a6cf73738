import { buildSchema, parse, specifiedRules, validate, type GraphQLError } from 'graphql';
import { queryLimitsRule, type QueryLimits } from '../src/limits/query-limits';

// The limits rule through graphql-js `validate`, against a small schema with lists, an interface, a
// union and a mutation. Measures are read back from the rule's messages with every limit below zero.

const schema = buildSchema(`
  interface Node { id: ID! }
  type Driver implements Node { id: ID! name: String trips(limit: Int): [Trip!]! }
  type Event { type: String version: Int }
  type Trip implements Node { id: ID! driver: Driver events: [Event!]! tags: [String!] }
  union SearchResult = Driver | Trip
  type Query {
    driver(id: ID!): Driver
    trips(limit: Int): [Trip!]!
    node(id: ID!): Node
    search(text: String): [SearchResult!]!
  }
  type Mutation { cancelTrip(id: ID!): Trip }
`);

const limits: QueryLimits = {
  maxDepth: 5,
  maxAliases: 3,
  maxCost: 100,
  defaultListSize: 10,
  maxListSize: 50,
};

const errorsOf = (query: string, l: QueryLimits = limits, rules = [queryLimitsRule(l)]) =>
  validate(schema, parse(query), rules);
const messages = (errors: readonly GraphQLError[]) => errors.map((e) => e.message);

/** Depth, aliases and cost of each operation of the document, as the rule measures them. */
function measures(query: string) {
  const all = { maxDepth: -1, maxAliases: -1, maxCost: -1, defaultListSize: 10, maxListSize: 50 };
  const numbers = messages(errorsOf(query, all)).map((m) => Number(/(-?\d+)/.exec(m)?.[1]));
  const result: Array<{ depth: number; aliases: number; cost: number }> = [];
  for (let i = 0; i < numbers.length; i += 3)
    result.push({ depth: numbers[i] ?? NaN, aliases: numbers[i + 1] ?? NaN, cost: numbers[i + 2] ?? NaN });
  return result;
}
const measure = (query: string) => measures(query)[0];

describe('query measures', () => {
  it('should count each level of fields as 1 of depth and each field as 1 of cost', () => {
    expect(measure('{ driver(id: "D1") { id } }')).toEqual({ depth: 2, aliases: 0, cost: 2 });
  });

  it('should count depth as the deepest branch, cost over every field', () => {
    expect(measure('{ driver(id: "D1") { id name } node(id: "T1") { id } }')).toEqual({
      depth: 2,
      aliases: 0,
      cost: 5,
    });
  });

  it('should multiply what is below a list field by its literal limit', () => {
    expect(measure('{ trips(limit: 3) { id driver { name } } }')).toMatchObject({
      depth: 3,
      cost: 1 + 3 * 3,
    });
  });

  it('should multiply by the default list size without a literal limit (a variable or none)', () => {
    expect(measure('{ trips { id } }')).toMatchObject({ cost: 1 + 10 });
    expect(measure('query ($n: Int) { trips(limit: $n) { id } }')).toMatchObject({ cost: 1 + 10 });
  });

  it('should cap the multiplier at the largest list a subgraph returns, and count at least one', () => {
    expect(measure('{ trips(limit: 100000) { id } }')).toMatchObject({ cost: 1 + 50 });
    expect(measure('{ trips(limit: 0) { id } }')).toMatchObject({ cost: 1 + 1 });
    expect(measure('{ trips(limit: -5) { id } }')).toMatchObject({ cost: 1 + 1 });
  });

  it('should multiply nested lists, and not multiply a list of scalars with nothing below it', () => {
    expect(measure('{ trips(limit: 4) { events { type } } }')).toMatchObject({ cost: 1 + 4 * (1 + 10 * 1) });
    expect(measure('{ trips(limit: 4) { tags } }')).toMatchObject({ cost: 1 + 4 * 1 });
  });

  it('should count aliases, at any depth', () => {
    expect(measure('{ a: driver(id: "1") { n: name } b: driver(id: "2") { name } }')).toMatchObject({
      aliases: 3,
      cost: 4,
    });
  });

  it('should measure fields of an interface and of inline fragments on its types', () => {
    expect(measure('{ node(id: "D1") { id ... on Driver { trips(limit: 2) { id } } } }')).toEqual({
      depth: 3,
      aliases: 0,
      cost: 1 + 1 + (1 + 2 * 1),
    });
  });

  it('should measure the members of a union through inline fragments', () => {
    expect(
      measure('{ search(text: "x") { ... on Trip { id events { type } } ... on Driver { name } } }'),
    ).toEqual({ depth: 3, aliases: 0, cost: 1 + 10 * (1 + (1 + 10) + 1) });
  });

  it('should expand named fragments where they are spread, each spread counting in full', () => {
    const query = `
      { a: driver(id: "1") { ...D } b: driver(id: "2") { ...D } }
      fragment D on Driver { id x: name }`;
    expect(measure(query)).toEqual({ depth: 2, aliases: 4, cost: 2 * (1 + 2) });
  });

  it('should measure a fragment bomb by what it expands to, without expanding it', () => {
    const levels = 30; // 2^30 spreads if expanded
    const fragments = Array.from(
      { length: levels },
      (_, i) =>
        `fragment F${i} on Trip { driver { id } ${i + 1 < levels ? `...F${i + 1} ...F${i + 1}` : ''} }`,
    ).join('\n');
    const m = measure(`{ trips(limit: 1) { ...F0 } } ${fragments}`);
    // Each level costs its own driver { id } (2) plus twice the level below.
    const perLevel = Array.from({ length: levels }).reduce<number>((below) => 2 + 2 * below, 0);
    expect(m).toEqual({ depth: 3, aliases: 0, cost: 1 + perLevel });
  });

  it('should make introspection free and flat, but count its aliases', () => {
    expect(measure('{ __schema { types { name fields { name } } } }')).toEqual({
      depth: 0,
      aliases: 0,
      cost: 0,
    });
    expect(measure('{ __typename t: __typename __type(name: "Trip") { n: name } }')).toEqual({
      depth: 0,
      aliases: 2,
      cost: 0,
    });
  });

  it("should count the aliases inside an introspection field's fragments once per fragment", () => {
    const query = `
      { __schema { types { ...T ...T } queryType { ...T } } }
      fragment T on __Type { n: name }`;
    expect(measure(query)).toEqual({ depth: 0, aliases: 1, cost: 0 });
  });

  it('should measure a mutation from the mutation root', () => {
    expect(measure('mutation { cancelTrip(id: "T1") { id driver { trips { id } } } }')).toEqual({
      depth: 4,
      aliases: 0,
      cost: 1 + 1 + (1 + (1 + 10 * 1)),
    });
  });

  it('should measure each operation of a document by itself', () => {
    expect(measures('query A { trips { id } } query B { driver(id: "1") { id } }')).toEqual([
      { depth: 2, aliases: 0, cost: 11 },
      { depth: 2, aliases: 0, cost: 2 },
    ]);
  });

  it('should leave unknown fields and fragments to the standard rules, counting what it can', () => {
    expect(measure('{ nope { deeper } driver(id: "1") { ...Missing id } }')).toEqual({
      depth: 2,
      aliases: 0,
      cost: 1 + 2,
    });
  });

  it('should terminate on a fragment cycle (reported by the standard rules)', () => {
    const query = `
      { node(id: "1") { ...A } }
      fragment A on Trip { driver { ...B } }
      fragment B on Driver { trips { ...A } }`;
    expect(measure(query)).toEqual(expect.objectContaining({ aliases: 0 }));
    expect(messages(errorsOf(query, limits, [...specifiedRules, queryLimitsRule(limits)]))).toContain(
      'Cannot spread fragment "A" within itself via "B".',
    );
  });
});

describe('queryLimitsRule', () => {
  it('should accept an operation at every limit exactly', () => {
    const query = '{ a: trips(limit: 1) { b: driver { c: trips(limit: 1) { driver { id } } } } }';
    expect(measure(query)).toEqual({ depth: 5, aliases: 3, cost: 5 });
    expect(errorsOf(query)).toEqual([]);
    expect(errorsOf(query, { ...limits, maxCost: 5 })).toEqual([]);
  });

  it('should reject an operation one over the depth limit, naming depth and limit', () => {
    const query = '{ trips(limit: 1) { driver { trips(limit: 1) { driver { trips(limit: 1) { id } } } } } }';
    expect(messages(errorsOf(query))).toEqual(['Query depth 6 exceeds the limit of 5']);
  });

  it('should reject an alias bomb, even one of __typename', () => {
    const aliases = Array.from({ length: 4 }, (_, i) => `t${i}: __typename`).join(' ');
    expect(messages(errorsOf(`{ ${aliases} }`))).toEqual(['Query uses 4 aliases; the limit is 3']);
  });

  it('should reject an operation over the cost limit', () => {
    expect(messages(errorsOf('{ trips(limit: 50) { id driver { id } } }'))).toEqual([
      'Query cost 151 exceeds the limit of 100',
    ]);
  });

  it('should report every limit exceeded, each with the QUERY_TOO_COMPLEX code', () => {
    const tight = { ...limits, maxDepth: 1, maxAliases: 0, maxCost: 1 };
    const errors = errorsOf('{ d: driver(id: "1") { id } }', tight);
    expect(messages(errors)).toEqual([
      'Query depth 2 exceeds the limit of 1',
      'Query uses 1 aliases; the limit is 0',
      'Query cost 2 exceeds the limit of 1',
    ]);
    for (const error of errors) expect(error.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX' });
  });

  it('should run alongside the standard rules without reporting a valid query', () => {
    const rules = [...specifiedRules, queryLimitsRule(limits)];
    expect(errorsOf('query ($n: Int) { trips(limit: $n) { id tags } }', limits, rules)).toEqual([]);
  });
});
