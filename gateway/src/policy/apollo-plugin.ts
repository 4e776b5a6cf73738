import type {
  ApolloServerPlugin,
  BaseContext,
  GraphQLRequestContextDidResolveOperation,
} from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { RequestPolicy } from './compose';
import type { Verdict } from './refusal';
import { coerceVariables } from './validate-operation';

/** Throws a refusal as Apollo's error: it keeps its code and HTTP status, and the headers set here. */
function enforce<C extends BaseContext>(
  verdict: Verdict,
  { response }: GraphQLRequestContextDidResolveOperation<C>,
) {
  if (!verdict.refused) return;
  for (const [name, value] of Object.entries(verdict.headers)) response.http.headers.set(name, value);
  throw new GraphQLError(verdict.message, {
    extensions: { code: verdict.code, http: { status: verdict.httpStatus } },
  });
}

/**
 * The policy's operation hooks on HTTP, inside Apollo's request pipeline: once Apollo has parsed
 * (with the policy's token limit), validated (with the policy's rules) and resolved the operation, so
 * nothing is parsed twice. The resolved checks (query limits) see the variables as graphql-js coerces
 * them for execution. A refusal keeps its HTTP status and headers; Apollo drops `http` from the error.
 */
export function policyPlugin<C extends { internal?: boolean }>(
  policy: Pick<RequestPolicy, 'admitOperation'> & Partial<Pick<RequestPolicy, 'admitResolvedOperation'>>,
): ApolloServerPlugin<C> {
  const { admitResolvedOperation } = policy;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(context) {
          const { queryHash, contextValue, schema, document, operation, request } = context;
          const internal = contextValue.internal === true;
          enforce(policy.admitOperation({ queryHash, internal }), context);
          // Without an operation there is nothing to measure (the gateway's operation checks answer 400).
          if (!admitResolvedOperation || !operation) return;
          const variables = coerceVariables(schema, operation, request.variables);
          if ('errors' in variables) {
            const [first] = variables.errors;
            throw new GraphQLError(first?.message ?? 'Invalid variables', {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
          const resolved = {
            queryHash,
            internal,
            schema,
            document,
            operation,
            variableValues: variables.values,
          };
          enforce(admitResolvedOperation(resolved), context);
        },
      };
    },
  };
}
