import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import mongoose from 'mongoose';
import {
  createLogger,
  createSubgraphServer,
  graphqlClient,
  GraphQLClientError,
  identityHeaders,
  postGraphQL,
  readIdentitySecret,
  serviceSigner,
  type Identity,
} from '@rideshare/common';

/**
 * The signing hook of the internal GraphQL client against a real subgraph server: what the client
 * signs is what the subgraph checks (the raw body, before Apollo parses it), and nothing else passes.
 */
const WhoAmIDocument: TypedDocumentNode<{ whoami: string | null }, Record<string, never>> = parse(
  'query WhoAmI { whoami }',
);

describe('signed identities between services and a subgraph', () => {
  const connection = mongoose.createConnection(); // never opened: only /health/ready would read it
  let server: Awaited<ReturnType<typeof createSubgraphServer>>;
  let url = '';

  beforeAll(async () => {
    server = await createSubgraphServer<{ identity: Identity | null }>({
      name: 'identity-test',
      typeDefs: 'type Query { whoami: String }',
      resolvers: {
        Query: {
          whoami: (_p: unknown, _a: unknown, ctx: { identity: Identity | null }) =>
            ctx.identity && `${ctx.identity.role}:${ctx.identity.code}`,
        },
      },
      context: async (identity) => ({ identity }),
      connection,
      log: createLogger('identity-test', 'error'),
    });
    url = `http://127.0.0.1:${await server.listen(0)}/graphql`;
  });
  afterAll(async () => {
    await server.close();
    await connection.close();
  });

  it('should pass the identity of a client that signs every call', async () => {
    const client = graphqlClient({ service: 'identity-test', url, sign: serviceSigner('trips') });
    expect(await client.call(WhoAmIDocument, {})).toEqual({ whoami: 'service:trips' });
    expect(await client.call(WhoAmIDocument, {})).toEqual({ whoami: 'service:trips' });
  });

  it('should pass the identity of a script that posts with a signer', async () => {
    const reply = await postGraphQL(url, '{ whoami }', undefined, serviceSigner('test'));
    expect(reply).toEqual({ data: { whoami: 'service:test' } });
  });

  it('should refuse a captured header pair sent with another body', async () => {
    const original = JSON.stringify({ query: '{ __typename }' });
    const headers = identityHeaders({ role: 'admin', code: 'X' }, readIdentitySecret(), {
      method: 'POST',
      target: '/graphql',
      body: original,
    });
    const send = (body: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect((await send(original)).status).toBe(200);
    const replay = await send(JSON.stringify({ query: '{ whoami }' }));
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({
      errors: [
        {
          message:
            'Unauthenticated: identity signature is not valid for this request (it covers method, path and body)',
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    });
  });

  it('should refuse headers signed for a POST on a GET carrying the same operation', async () => {
    const headers = identityHeaders({ role: 'admin', code: 'X' }, readIdentitySecret(), {
      method: 'POST',
      target: '/graphql',
      body: JSON.stringify({ query: '{ whoami }' }),
    });
    const res = await fetch(`${url}?query=${encodeURIComponent('{ whoami }')}`, {
      headers: { ...headers, 'apollo-require-preflight': 'true' },
    });
    expect(res.status).toBe(401);
  });

  it('should answer an unsigned call without an identity, and a call signed with another secret with 401', async () => {
    expect(await postGraphQL(url, '{ whoami }')).toEqual({ data: { whoami: null } });
    const forged = graphqlClient({
      service: 'identity-test',
      url,
      sign: serviceSigner('trips', { SUBGRAPH_IDENTITY_SECRET: 'not-the-shared-secret-at-all' }),
    });
    const err: unknown = await forged.call(WhoAmIDocument, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphQLClientError);
    expect(err).toMatchObject({ code: 'UNAUTHENTICATED', status: 401, kind: 'permanent' });
  });
});
