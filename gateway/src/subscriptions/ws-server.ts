import type http from 'node:http';
import {
  GraphQLError,
  OperationTypeNode,
  getOperationAST,
  parse,
  print,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Identity, Logger } from '@rideshare/common';
import type { LiveFields, SubscriptionPlan } from './live-fields';
import type { Execute } from './payloads';

export interface SubscriptionServerDeps {
  /** Plans and streams subscriptions from the live fields the supergraph declares. */
  live: LiveFields;
  schema(): GraphQLSchema | undefined;
  execute: Execute;
  /** Verifies the token sent in `connection_init`; throws with a reason when it is not valid. */
  authenticate(connectionParams: Record<string, unknown> | undefined): Promise<Identity>;
  /** Extra validation rules (depth, aliases, cost), the same as for HTTP requests. */
  validationRules: readonly ValidationRule[];
  log: Logger;
  keepAliveMs: number;
  maxPayloadBytes: number;
  maxSubscriptionsPerConnection: number;
  maxConnectionsPerIdentity: number;
  /** Safelist mode: whether a client's operation may run (the gateway's own operations are not checked). */
  allowOperation?(query: string): boolean;
  /** The per-identity rate limit of HTTP requests, applied to each operation sent over a socket too. */
  rateLimit?(identity: Identity): Promise<{ allowed: boolean; limit: number; retryAfterSeconds: number }>;
}

type OperationContext = { plan: SubscriptionPlan } | { identity: Identity };

/** graphql-ws close code for a client over its connection limit (4xxx codes are the application's). */
export const TOO_MANY_CONNECTIONS = 4429;

const userError = (message: string, code: string, field?: string) =>
  new GraphQLError(message, { extensions: { code, ...(field ? { field } : {}) } });

function bearerOf(params: Record<string, unknown> | undefined): string | undefined {
  const headers = params?.headers as Record<string, unknown> | undefined;
  const value =
    params?.authorization ?? params?.Authorization ?? headers?.authorization ?? headers?.Authorization;
  return typeof value === 'string' ? value : undefined;
}

/**
 * graphql-ws on the gateway's own HTTP server and path (/graphql). The client authenticates in
 * `connection_init` ({ "authorization": "Bearer <token>" }); a bad token closes the socket with 4403.
 * Queries and mutations sent over the socket run through the gateway like HTTP ones; subscriptions
 * are served here from Redis signals, each update resolved by a federated query as the subscriber.
 * Bad protocol messages get graphql-ws's close codes (4400, 4401, 4409 …).
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

  const identities = new WeakMap<object, Identity>();
  const active = new WeakMap<object, Set<string>>();
  const connectionsPerIdentity = new Map<string, number>();
  const identityKey = (i: Identity) => `${i.role}:${i.code}`;

  /** Checks one operation sent over a socket: its execution arguments, or the errors to answer. */
  const prepare = async (
    identity: Identity,
    payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
  ) => {
    if (deps.allowOperation && !deps.allowOperation(payload.query))
      return [userError('This operation is not in the safelist', 'OPERATION_NOT_SAFELISTED')];
    if (deps.rateLimit) {
      const decision = await deps.rateLimit(identity);
      if (!decision.allowed)
        return [
          userError(
            `Rate limit of ${decision.limit} requests per minute exceeded; retry in ${decision.retryAfterSeconds} s`,
            'RATE_LIMITED',
          ),
        ];
    }
    const schema = deps.schema();
    if (!schema) return [userError('The gateway has no schema yet', 'SERVICE_UNAVAILABLE')];
    let document: DocumentNode;
    try {
      document = parse(payload.query);
    } catch (err) {
      return [userError(err instanceof Error ? err.message : 'Syntax error', 'GRAPHQL_PARSE_FAILED')];
    }
    // The standard rules too: subscriptions are planned from the document, not executed by graphql-js.
    const validationErrors = validate(schema, document, [...specifiedRules, ...deps.validationRules]);
    if (validationErrors.length > 0)
      return validationErrors.map((e) => userError(e.message, 'GRAPHQL_VALIDATION_FAILED'));
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) return [userError('Could not determine which operation to run', 'BAD_USER_INPUT')];
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {});
    if (coerced.errors) return coerced.errors.map((e) => userError(e.message, 'BAD_USER_INPUT'));
    let contextValue: OperationContext = { identity };
    if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
      const planned = await deps.live.plan(schema, document, operation, coerced.coerced, identity);
      if ('errors' in planned) return planned.errors;
      contextValue = planned;
    }
    return {
      schema,
      document,
      variableValues: coerced.coerced,
      operationName: payload.operationName ?? null,
      contextValue,
    };
  };

  const disposable = useServer<Record<string, unknown> | undefined, { socket: import('ws').WebSocket }>(
    {
      onConnect: async (ctx) => {
        let identity: Identity;
        try {
          identity = await deps.authenticate(ctx.connectionParams);
        } catch (err) {
          deps.log.debug('websocket authentication failed', {
            reason: err instanceof Error ? err.message : String(err),
          });
          return false; // graphql-ws closes with 4403 Forbidden
        }
        const key = identityKey(identity);
        const count = connectionsPerIdentity.get(key) ?? 0;
        if (count >= deps.maxConnectionsPerIdentity) {
          ctx.extra.socket.close(
            TOO_MANY_CONNECTIONS,
            `Too many connections for ${key} (max ${deps.maxConnectionsPerIdentity})`,
          );
          return false;
        }
        connectionsPerIdentity.set(key, count + 1);
        identities.set(ctx, identity);
        active.set(ctx, new Set());
        return true;
      },
      onClose: (ctx) => {
        const identity = identities.get(ctx);
        if (!identity) return;
        const key = identityKey(identity);
        const left = (connectionsPerIdentity.get(key) ?? 1) - 1;
        if (left > 0) connectionsPerIdentity.set(key, left);
        else connectionsPerIdentity.delete(key);
      },
      onSubscribe: async (ctx, id, payload) => {
        const identity = identities.get(ctx);
        if (!identity) return [userError('Not authenticated', 'UNAUTHENTICATED')];
        const running = active.get(ctx) ?? new Set<string>();
        if (running.size >= deps.maxSubscriptionsPerConnection) {
          return [
            userError(
              `Too many operations on this connection (max ${deps.maxSubscriptionsPerConnection})`,
              'TOO_MANY_SUBSCRIPTIONS',
            ),
          ];
        }
        // The slot is taken before anything is awaited, so subscribes sent together cannot all pass
        // the check above; it is given back when the operation is refused.
        running.add(id);
        try {
          const prepared = await prepare(identity, payload);
          if (Array.isArray(prepared)) running.delete(id);
          return prepared;
        } catch (err) {
          running.delete(id);
          throw err;
        }
      },
      onComplete: (ctx, id) => {
        active.get(ctx)?.delete(id);
      },
      // Results run through Apollo carry formatted (plain) errors, which graphql-ws cannot serialise
      // (it calls GraphQLError#toJSON): without this, an error in a result ended the subscription
      // with "e.toJSON is not a function", or closed the whole socket (4500) for a query or mutation.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors
          ? {
              ...result,
              errors: result.errors.map((e) =>
                e instanceof GraphQLError ? e.toJSON() : (e as unknown as GraphQLFormattedError),
              ),
            }
          : undefined,
      execute: (args) => {
        const context = args.contextValue as OperationContext;
        const identity = 'plan' in context ? context.plan.identity : context.identity;
        return deps.execute(print(args.document), args.variableValues ?? {}, identity);
      },
      subscribe: (args) => {
        const context = args.contextValue as OperationContext;
        if (!('plan' in context))
          return deps.execute(print(args.document), args.variableValues ?? {}, context.identity);
        return deps.live.stream(context.plan);
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

export { bearerOf };
