import type http from 'node:http';
import {
  GraphQLError,
  OperationTypeNode,
  getOperationAST,
  parse,
  print,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from '@rideshare/common';
import { planSubscription, type SubscriptionPlan } from './operation';
import type { Execute } from './payloads';
import { tripOffersStream, tripUpdatesStream, type StreamDeps } from './streams';

export interface SubscriptionServerDeps extends StreamDeps {
  schema(): GraphQLSchema | undefined;
  execute: Execute;
  log: Logger;
  keepAliveMs: number;
  maxPayloadBytes: number;
}

type OperationContext = { plan: SubscriptionPlan } | { query: true };

const userError = (message: string, code: string, field?: string) =>
  new GraphQLError(message, { extensions: { code, ...(field ? { field } : {}) } });

/** Checks the subscription's arguments and that what it watches exists; returns errors or nothing. */
async function checkSubscription(
  deps: SubscriptionServerDeps,
  plan: SubscriptionPlan,
): Promise<GraphQLError[] | null> {
  if (plan.field === 'tripUpdated') {
    const { code, afterVersion } = plan.args;
    if (
      afterVersion !== undefined &&
      afterVersion !== null &&
      (!Number.isInteger(afterVersion) || (afterVersion as number) < 0)
    ) {
      return [
        userError(
          `Invalid afterVersion: must be a non-negative integer, got ${JSON.stringify(afterVersion)}`,
          'BAD_USER_INPUT',
          'afterVersion',
        ),
      ];
    }
    const exists = await deps.currentTrip(String(code));
    return exists ? null : [userError(`Trip "${String(code)}" was not found`, 'NOT_FOUND', 'code')];
  }
  const result = await deps.execute('query ($code: ID!) { driver(code: $code) { code } }', {
    code: plan.args.driverCode,
  });
  return result.errors?.length
    ? result.errors.map((e) =>
        userError(
          e.message,
          typeof e.extensions?.code === 'string' ? e.extensions.code : 'BAD_USER_INPUT',
          'driverCode',
        ),
      )
    : null;
}

/**
 * graphql-ws on the gateway's own HTTP server and path (/graphql). Queries and mutations sent over the
 * socket run through the gateway like HTTP ones; subscriptions are served here from Redis signals,
 * each update resolved by a federated query. Bad protocol messages get graphql-ws's close codes
 * (4400 bad request, 4401 unauthorised, 4409 duplicate id …); GraphQL problems come as `error` messages.
 */
export function attachSubscriptionServer(server: http.Server, deps: SubscriptionServerDeps) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.maxPayloadBytes });
  server.on('upgrade', (req, socket, head) => {
    if ((req.url ?? '').split('?')[0] !== '/graphql') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const disposable = useServer<Record<string, unknown> | undefined>(
    {
      onSubscribe: async (_ctx, _id, payload) => {
        const schema = deps.schema();
        if (!schema) return [userError('The gateway has no schema yet', 'SERVICE_UNAVAILABLE')];
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (err) {
          return [userError(err instanceof Error ? err.message : 'Syntax error', 'GRAPHQL_PARSE_FAILED')];
        }
        const validationErrors = validate(schema, document);
        if (validationErrors.length > 0)
          return validationErrors.map((e) => userError(e.message, 'GRAPHQL_VALIDATION_FAILED'));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [userError('Could not determine which operation to run', 'BAD_USER_INPUT')];
        const coerced = getVariableValues(
          schema,
          operation.variableDefinitions ?? [],
          payload.variables ?? {},
        );
        if (coerced.errors) return coerced.errors.map((e) => userError(e.message, 'BAD_USER_INPUT'));
        let contextValue: OperationContext = { query: true };
        if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
          try {
            contextValue = { plan: planSubscription(document, operation, coerced.coerced) };
          } catch (err) {
            return [err instanceof GraphQLError ? err : userError('Invalid subscription', 'BAD_USER_INPUT')];
          }
          const problems = await checkSubscription(deps, contextValue.plan);
          if (problems) return problems;
        }
        return {
          schema,
          document,
          variableValues: coerced.coerced,
          operationName: payload.operationName ?? null,
          contextValue,
        };
      },
      execute: (args) => deps.execute(print(args.document), args.variableValues ?? {}),
      subscribe: (args) => {
        const context = args.contextValue as OperationContext;
        if (!('plan' in context)) return deps.execute(print(args.document), args.variableValues ?? {});
        const { plan } = context;
        return plan.field === 'tripUpdated'
          ? tripUpdatesStream(
              deps,
              plan,
              String(plan.args.code),
              (plan.args.afterVersion as number | null | undefined) ?? null,
            )
          : tripOffersStream(deps, plan, String(plan.args.driverCode));
      },
      onError: (_ctx, _id, _payload, errors) => {
        deps.log.debug('subscription error', { errors: errors.map((e) => e.message) });
      },
    },
    wss,
    deps.keepAliveMs,
  );

  return {
    connections: () => wss.clients.size,
    /** Closes every socket with 1001 (going away) and stops accepting new ones. */
    async close() {
      await disposable.dispose();
      wss.close();
    },
  };
}
