import { ApolloClient, HttpLink, InMemoryCache, split } from '@apollo/client/core';
import { setContext } from '@apollo/client/link/context';
import { onError } from '@apollo/client/link/error';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient, type Client } from 'graphql-ws';
import { Kind, OperationTypeNode } from 'graphql';
import { session, signOut } from './auth/session';

const bearer = () => (session.value ? `Bearer ${session.value.token}` : undefined);
const wsUrl = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;

/**
 * One WebSocket for every subscription. It reconnects on its own (graphql-ws re-sends each active
 * subscription's payload; tripUpdated's names the last version seen, see trip/trip-updates.ts) and
 * signs in with the current token each time it connects.
 */
export const ws: Client = createClient({
  url: wsUrl(),
  lazy: true,
  connectionParams: () => {
    const authorization = bearer();
    return authorization ? { authorization } : {};
  },
  retryAttempts: Infinity,
  // A closed socket is retried whatever its code; an expired token (4403) sends the page to sign-in.
  shouldRetry: () => session.value !== undefined,
  retryWait: async (retries) => {
    await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** retries, 5_000)));
  },
});

// The gateway no longer takes this token (expired, revoked, or signed with a rotated key): sign out.
const signOutWhenRefused = onError(({ networkError }) => {
  if (networkError && 'statusCode' in networkError && networkError.statusCode === 401) signOut();
});

const http = signOutWhenRefused
  .concat(
    setContext((_, { headers }: { headers?: Record<string, string> }) => {
      const authorization = bearer();
      return { headers: { ...headers, ...(authorization ? { authorization } : {}) } };
    }),
  )
  .concat(new HttpLink({ uri: '/graphql' }));

const isSubscription = ({ query }: { query: Parameters<typeof getMainDefinition>[0] }) => {
  const definition = getMainDefinition(query);
  return (
    definition.kind === Kind.OPERATION_DEFINITION && definition.operation === OperationTypeNode.SUBSCRIPTION
  );
};

export const apollo = new ApolloClient({
  link: split(isSubscription, new GraphQLWsLink(ws), http),
  cache: new InMemoryCache({
    typePolicies: {
      Driver: { keyFields: ['code'] },
      Passenger: { keyFields: ['code'] },
      Trip: { keyFields: ['code'] },
      // A trip update carries the trip as it was at that version: never merge it into the live trip.
      TripUpdate: { keyFields: false },
      // Lists are replaced by each answer (a polled list that shrinks is not "lost data").
      Query: {
        fields: { activeTrips: { merge: false }, drivers: { merge: false }, passengers: { merge: false } },
      },
    },
  }),
  defaultOptions: { watchQuery: { fetchPolicy: 'cache-and-network' } },
});

/** Signing out or in as someone else: a new socket with the new token, and nothing cached. */
export async function resetClient(): Promise<void> {
  ws.terminate();
  await apollo.clearStore();
}
