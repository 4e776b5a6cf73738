import type http from 'node:http';
import {
  GraphQLError,
  OperationTypeNode,
  print,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Identity, Logger } from '@rideshare/common';
import { sha256 } from '../limits/persisted-queries';
import { refusalError, validateOperation, type OperationRequest, type RequestPolicy } from '../policy';
import type { LiveFields, SubscriptionPlan } from './live-fields';
import type { Execute } from './payloads';

export interface SubscriptionServerDeps {
  /** Plans and streams subscriptions from the live fields the supergraph declares. */
  live: LiveFields;
  schema(): GraphQLSchema | undefined;
  execute: Execute;
  /** Who may connect and what they may run: the same policy as HTTP requests. */
  policy: RequestPolicy;
  log: Logger;
  keepAliveMs: number;
  maxPayloadBytes: number;
}

type OperationContext = { plan: SubscriptionPlan } | { identity: Identity };

interface Connection {
  identity: Identity;
  running: Set<string>;
  /** Frees what the policy counted, and stops the expiry timer. */
  close(): void;
}

/** Close code of a connection whose token expired: graphql-ws's Forbidden, as for a bad token. */
export const TOKEN_EXPIRED = 4403;
/** setTimeout's longest delay; a later expiry is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Closes `socket` with 4403 once `expiresAt` (ms since the epoch) has passed; returns the cancel. */
function closeAtExpiry(socket: WebSocket, expiresAt: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const left = expiresAt - Date.now();
    if (left <= 0) return socket.close(TOKEN_EXPIRED, 'Forbidden: token expired');
    timer = setTimeout(check, Math.min(left, MAX_TIMER_MS));
    timer.unref(); // a pending expiry does not keep the process alive
  };
  check();
  return () => clearTimeout(timer);
}

/** The Authorization value of `connection_init`: at the top level or under `headers`. */
function bearerOf(params: Record<string, unknown> | undefined): string | undefined {
  const headers: unknown = params?.headers;
  const nested: Record<string, unknown> =
    typeof headers === 'object' && headers !== null ? Object.fromEntries(Object.entries(headers)) : {};
  const value =
    params?.authorization ?? params?.Authorization ?? nested.authorization ?? nested.Authorization;
  return typeof value === 'string' ? value : undefined;
}

/**
 * graphql-ws on the gateway's own HTTP server and path (/graphql): the transport adapter of the
 * request policy. The client authenticates in `connection_init` ({ "authorization": "Bearer <token>" });
 * a refused connection is closed (a bad token with 4403, too many connections with the refusal's
 * code), and an admitted one with 4403 when its token expires; a refused operation is answered with
 * an `error` message. Queries and mutations sent over the socket run through the gateway like HTTP
 * ones; subscriptions are planned and streamed by `live`.
 * Bad protocol messages get graphql-ws's close codes (4400, 4401, 4409 …).
 */
export function attachSubscriptionServer(server: http.Server, deps: SubscriptionServerDeps) {
  const { policy } = deps;
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.maxPayloadBytes });
  server.on('upgrade', (req, socket, head) => {
    if ((req.url ?? '').split('?')[0] !== '/graphql') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const connections = new WeakMap<object, Connection>();
  // Contexts this server made, so the one graphql-ws hands back (typed unknown) is found, not cast.
  const contexts = new WeakMap<object, OperationContext>();
  const operationContext = (value: unknown): OperationContext => {
    const context = typeof value === 'object' && value !== null ? contexts.get(value) : undefined;
    if (!context) throw new Error('graphql-ws handed back a context this server did not make');
    return context;
  };

  /** Checks one operation sent over a socket: its execution arguments, or the errors to answer. */
  const prepare = async (identity: Identity, payload: OperationRequest) => {
    const admitted = await policy.admitSocketOperation(identity, payload.query);
    if (admitted.refused) return [refusalError(admitted)];
    const valid = validateOperation(deps.schema(), payload, policy.validationRules, policy.parseOptions);
    if ('errors' in valid) return valid.errors;
    const { schema, document, operation, variableValues } = valid;
    const limits = policy.admitResolvedOperation({
      queryHash: sha256(payload.query),
      internal: false,
      ...valid,
    });
    if (limits.refused) return [refusalError(limits)];
    let contextValue: OperationContext = { identity };
    if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
      const planned = await deps.live.plan(schema, document, operation, variableValues, identity);
      if ('errors' in planned) return planned.errors;
      contextValue = planned;
    }
    contexts.set(contextValue, contextValue);
    return { schema, document, variableValues, operationName: payload.operationName ?? null, contextValue };
  };

  const disposable = useServer<Record<string, unknown> | undefined, { socket: WebSocket }>(
    {
      onConnect: async (ctx) => {
        const admitted = await policy.admitConnection({
          authorization: bearerOf(ctx.connectionParams),
          address: ctx.extra.request.socket.remoteAddress ?? 'unknown',
        });
        if (admitted.refused) {
          deps.log.debug('websocket connection refused', { code: admitted.code, reason: admitted.message });
          if (admitted.closeCode) ctx.extra.socket.close(admitted.closeCode, admitted.message);
          return false; // otherwise graphql-ws closes with 4403 Forbidden
        }
        const { socket } = ctx.extra;
        // Closed while the policy was deciding: onClose has run already and would never release it.
        if (socket.readyState !== socket.OPEN) {
          admitted.release();
          return false;
        }
        const cancelExpiry = closeAtExpiry(socket, admitted.expiresAt);
        connections.set(ctx, {
          identity: admitted.identity,
          running: new Set(),
          close: () => {
            cancelExpiry();
            admitted.release();
          },
        });
        return true;
      },
      onClose: (ctx) => connections.get(ctx)?.close(),
      onSubscribe: async (ctx, id, payload) => {
        const connection = connections.get(ctx);
        if (!connection)
          return [new GraphQLError('Not authenticated', { extensions: { code: 'UNAUTHENTICATED' } })];
        const { running } = connection;
        const slot = policy.admitConnectionOperation(running.size);
        if (slot.refused) return [refusalError(slot)];
        // The slot is taken before anything is awaited, so subscribes sent together cannot all pass
        // the check above; it is given back when the operation is refused.
        running.add(id);
        try {
          const prepared = await prepare(connection.identity, payload);
          if (Array.isArray(prepared)) running.delete(id);
          return prepared;
        } catch (err) {
          running.delete(id);
          throw err;
        }
      },
      onComplete: (ctx, id) => {
        connections.get(ctx)?.running.delete(id);
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
        const context = operationContext(args.contextValue);
        const identity = 'plan' in context ? context.plan.identity : context.identity;
        return deps.execute(print(args.document), args.variableValues ?? {}, identity);
      },
      subscribe: (args) => {
        const context = operationContext(args.contextValue);
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
