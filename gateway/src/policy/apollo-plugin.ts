import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { RequestPolicy } from './compose';

/**
 * The policy's operation hooks on HTTP, inside Apollo's request pipeline: once Apollo has parsed,
 * validated (with the policy's validation rules) and resolved the operation, so nothing is parsed
 * twice. A refusal keeps its HTTP status and headers; Apollo drops `http` from the error it sends.
 */
export function policyPlugin<C extends { internal?: boolean }>(
  policy: Pick<RequestPolicy, 'admitOperation'>,
): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ queryHash, contextValue, response }) {
          const verdict = policy.admitOperation({ queryHash, internal: contextValue.internal === true });
          if (!verdict.refused) return;
          // Headers set on the response stay on Apollo's error response.
          for (const [name, value] of Object.entries(verdict.headers)) response.http.headers.set(name, value);
          throw new GraphQLError(verdict.message, {
            extensions: { code: verdict.code, http: { status: verdict.httpStatus } },
          });
        },
      };
    },
  };
}
