import { Supergraph } from '@apollo/federation-internals';
import { getOperationAST, GraphQLError, parse, type ExecutionResult } from 'graphql';
import { readSupergraph } from '@rideshare/schema';
import { readLiveFields } from '../src/subscriptions/live-directive';
import { planSubscription } from '../src/subscriptions/operation';
import { createPayloadResolver, type Execute } from '../src/subscriptions/payloads';
import type { RedisFeeds } from '../src/subscriptions/redis-feeds';
import { resumableStream, type StreamDeps } from '../src/subscriptions/streams';

// Found by the fault suite: while a subgraph or its database restarted, updates were delivered
// without their data (SUBGRAPH_UNAVAILABLE, INTERNAL_SERVER_ERROR), a gap the client could not see.
// Now such an update is resolved again.

const sdl = readSupergraph();
const api = Supergraph.build(sdl).apiSchema().toGraphQLJSSchema();
const specs = readLiveFields(sdl, api);

function plan(query: string) {
  const document = parse(query);
  const operation = getOperationAST(document)!;
  return planSubscription(
    api,
    (field) => specs.fields.get(field) ?? 'no such field',
    document,
    operation,
    {},
    { role: 'admin', code: 'A1' },
  );
}

const failure = (code: string): ExecutionResult => ({
  data: { tripUpdate: null },
  errors: [new GraphQLError(`failed with ${code}`, { extensions: { code } })],
});
const update = (version: number): ExecutionResult => ({ data: { tripUpdate: { version } } });
const feeds: RedisFeeds = {
  subscribe: async () => () => undefined,
  ready: () => true,
  close: async () => {},
};

/** Streams versions 1..3 of a finished trip; `fail(version)` decides each resolution's failure. */
async function streamWith(fail: (version: number) => string | undefined, internalRetryMs?: number) {
  const resolved: number[] = [];
  const execute: Execute = async (_query, variables) => {
    const version = Number(variables.__live_version);
    resolved.push(version);
    const code = fail(version);
    return code ? failure(code) : update(version);
  };
  const deps: StreamDeps = {
    feeds,
    payloads: createPayloadResolver(execute),
    currentState: async () => ({ version: 3, final: true }),
    internalRetryMs,
  };
  const received: ExecutionResult[] = [];
  const p = plan('subscription { tripUpdated(code: "T1", afterVersion: 0) { version } }');
  for await (const result of resumableStream(deps, p, 'trip:T1')) received.push(result);
  return { resolved, received };
}

describe('a resumable stream while a subgraph is unreachable', () => {
  it('should resolve the update again until the subgraph answers, and deliver every version once', async () => {
    let unavailable = 2;
    const { resolved, received } = await streamWith((v) =>
      v === 2 && unavailable-- > 0 ? 'SUBGRAPH_UNAVAILABLE' : undefined,
    );
    expect(received).toEqual([1, 2, 3].map((version) => ({ data: { tripUpdated: { version } } })));
    // Two failed attempts at version 2, none of them kept for the next attempt to share.
    expect(resolved).toEqual([1, 2, 2, 2, 3]);
  });

  it('should try an update failing inside a subgraph (its database restarting) again, for a while', async () => {
    let failing = 1;
    const retried = await streamWith((v) => (v === 2 && failing-- > 0 ? 'INTERNAL_SERVER_ERROR' : undefined));
    expect(retried.resolved).toEqual([1, 2, 2, 3]);
    expect(retried.received[1]).toEqual({ data: { tripUpdated: { version: 2 } } });

    // An internal error that outlasts the retry time (a bug, say) is delivered as it is.
    const given = await streamWith((v) => (v === 2 ? 'INTERNAL_SERVER_ERROR' : undefined), 0);
    expect(given.resolved).toEqual([1, 2, 3]);
    expect(given.received[1]).toMatchObject({ errors: [{ extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
  });

  it('should deliver an update whose error is not about reachability as it is, once', async () => {
    const { resolved, received } = await streamWith((v) => (v === 2 ? 'FORBIDDEN' : undefined));
    expect(resolved).toEqual([1, 2, 3]);
    expect(received[1]).toMatchObject({
      data: { tripUpdated: null },
      errors: [{ extensions: { code: 'FORBIDDEN' } }],
    });
  });
});

// Found by the fault suite at 100 trips: signals published while Redis restarted were lost, and a
// subscriber whose trip ended meanwhile waited for ever after its last delivered version.
describe('a resumable stream after a Redis outage', () => {
  it('should read the state again when the subscription is restored, and deliver what it missed', async () => {
    let reconnect: (() => void) | undefined;
    const restoring: RedisFeeds = {
      ...feeds,
      subscribe: async (_channel, _onSignal, onReconnect) => {
        reconnect = onReconnect;
        return () => undefined;
      },
    };
    // At the start the trip is at version 1; its versions 2 and 3 (the last) are published while
    // Redis is away, so no signal of them arrives.
    let state = { version: 1, final: false };
    const execute: Execute = async (_query, variables) => update(Number(variables.__live_version));
    const deps: StreamDeps = {
      feeds: restoring,
      payloads: createPayloadResolver(execute),
      currentState: async () => state,
    };
    const stream = resumableStream(
      deps,
      plan('subscription { tripUpdated(code: "T1", afterVersion: 0) { version } }'),
      'trip:T1',
    );
    const first = await stream.next();
    expect(first.value).toEqual({ data: { tripUpdated: { version: 1 } } });

    const waiting = stream.next();
    state = { version: 3, final: true };
    reconnect?.();
    const rest: unknown[] = [(await waiting).value];
    for await (const result of stream) rest.push(result);
    expect(rest).toEqual([2, 3].map((version) => ({ data: { tripUpdated: { version } } })));
  });
});
