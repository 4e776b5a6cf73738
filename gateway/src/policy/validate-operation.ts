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
  type ParseOptions,
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
 * An operation's variables as execution will see them: graphql-js's own coercion (defaults
 * applied, values checked against their types), or the errors it reports as BAD_USER_INPUT.
 */
export function coerceVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  raw: Readonly<Record<string, unknown>> | null | undefined,
): { values: Record<string, unknown> } | { errors: readonly GraphQLError[] } {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], raw ?? {});
  if (coerced.errors)
    return { errors: coerced.errors.map((e) => userError(e.message, ApolloServerErrorCode.BAD_USER_INPUT)) };
  return { values: coerced.coerced };
}

/**
 * What Apollo's pipeline does for HTTP, for operations sent over a socket: graphql-js parses,
 * validates with the standard rules and the policy's (subscriptions are planned from the document,
 * not executed by graphql-js, so nothing else would), picks the operation and coerces its variables.
 * Errors carry Apollo's codes, as over HTTP; `parseOptions` are Apollo's (the token limit).
 */
export function validateOperation(
  schema: GraphQLSchema | undefined,
  request: OperationRequest,
  rules: readonly ValidationRule[],
  parseOptions: Readonly<ParseOptions> = {},
): ValidOperation | { errors: readonly GraphQLError[] } {
  if (!schema) return { errors: [userError('The gateway has no schema yet', 'SERVICE_UNAVAILABLE')] };
  let document: DocumentNode;
  try {
    document = parse(request.query, parseOptions);
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
  const coerced = coerceVariables(schema, operation, request.variables);
  if ('errors' in coerced) return coerced;
  return { schema, document, operation, variableValues: coerced.values };
}
