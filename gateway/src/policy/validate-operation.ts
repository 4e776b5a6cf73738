import { ApolloServerErrorCode } from '@apollo/server/errors';
import {
  GraphQLError,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';

export interface OperationRequest {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

export interface ValidOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variableValues: Record<string, unknown>;
}

const userError = (message: string, code: string) => new GraphQLError(message, { extensions: { code } });

/**
 * What Apollo's pipeline does for HTTP, for operations sent over a socket: graphql-js parses,
 * validates with the standard rules and the policy's (subscriptions are planned from the document,
 * not executed by graphql-js, so nothing else would), picks the operation and coerces its variables.
 * Errors carry Apollo's codes, as over HTTP.
 */
export function validateOperation(
  schema: GraphQLSchema | undefined,
  request: OperationRequest,
  rules: readonly ValidationRule[],
): ValidOperation | { errors: readonly GraphQLError[] } {
  if (!schema) return { errors: [userError('The gateway has no schema yet', 'SERVICE_UNAVAILABLE')] };
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (err) {
    const message = err instanceof Error ? err.message : 'Syntax error';
    return { errors: [userError(message, ApolloServerErrorCode.GRAPHQL_PARSE_FAILED)] };
  }
  const invalid = validate(schema, document, [...specifiedRules, ...rules]);
  if (invalid.length > 0)
    return {
      errors: invalid.map((e) => userError(e.message, ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED)),
    };
  const operation = getOperationAST(document, request.operationName);
  if (!operation)
    return {
      errors: [userError('Could not determine which operation to run', ApolloServerErrorCode.BAD_USER_INPUT)],
    };
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
  if (coerced.errors)
    return { errors: coerced.errors.map((e) => userError(e.message, ApolloServerErrorCode.BAD_USER_INPUT)) };
  return { schema, document, operation, variableValues: coerced.coerced };
}
