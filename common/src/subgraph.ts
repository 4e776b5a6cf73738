import type http from 'node:http';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { GraphQLFormattedError } from 'graphql';
import { parse } from 'graphql';
import mongoose from 'mongoose';
import { apolloRoute, closeServer, createHttpServer, listen, sendJson, type Admission } from './http';
import { ErrorCode } from './errors';
import { IdentityError, readIdentity, readIdentityCheck, type Identity } from './identity';
import type { Logger } from './logger';
import { operationSpanPlugin } from './tracing/operation-span';
import { metricsRoute } from './metrics';

/** The gateway forwards operations one at a time, each well under this size. */
const MAX_BODY_BYTES = 1_000_000;

/** Local mode shows stack traces and internal messages; any other mode masks them. */
export const isLocalMode = (env: NodeJS.ProcessEnv = process.env) => (env.APP_MODE ?? 'local') === 'local';

/** Keeps codes and user-facing messages; hides internals (and stack traces) outside local mode. */
export function formatError(formatted: GraphQLFormattedError, local: boolean): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (local) return formatted;
  const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
  if (code === ErrorCode.INTERNAL_SERVER_ERROR || code === undefined) {
    return { message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  }
  // Connection failures name internal hosts and ports: keep the code and the subgraph's name only.
  if (code === 'SUBGRAPH_UNAVAILABLE' || code === 'SUBGRAPH_TIMEOUT') {
    const name = typeof extensions.serviceName === 'string' ? extensions.serviceName : 'a subgraph';
    return {
      ...formatted,
      message: `Subgraph "${name}" ${code === 'SUBGRAPH_TIMEOUT' ? 'did not answer in time' : 'is unavailable'}`,
      extensions,
    };
  }
  return { ...formatted, extensions };
}

export interface SubgraphServerOptions<C extends BaseContext> {
  name: string;
  typeDefs: string;
  /** Resolvers typed by the subgraph's generated types; the shape is checked there. */
  resolvers: object;
  /**
   * Builds a fresh context (with per-request DataLoaders) for every request, given the caller's
   * identity as signed by the gateway (null when none was sent: only `__typename` works then).
   */
  context: (identity: Identity | null) => Promise<C>;
  /** Database connection checked by /health/ready. */
  connection: mongoose.Connection;
  log: Logger;
}

/** An Apollo subgraph on node:http with /graphql, /metrics, /health/live and /health/ready. Does not listen. */
export async function createSubgraphServer<C extends BaseContext>(opts: SubgraphServerOptions<C>) {
  const local = isLocalMode();
  const check = readIdentityCheck(); // before anything starts: a bad value stops here
  const apollo = new ApolloServer<C>({
    schema: buildSubgraphSchema({
      typeDefs: parse(opts.typeDefs),
      resolvers: opts.resolvers as GraphQLResolverMap<unknown>,
    }),
    includeStacktraceInErrorResponses: local,
    formatError: (formatted) => formatError(formatted, local),
    csrfPrevention: false, // only the gateway calls subgraphs
    // The process's own shutdown (handleShutdown) stops Apollo in order; Apollo's handler would stop it
    // on its own and re-send the signal, racing ours (a Ctrl-C then took the 15 s shutdown timeout).
    stopOnTerminationSignals: false,
    // No Apollo inline traces (no usage reporting reads them); OpenTelemetry spans are named per operation.
    plugins: [ApolloServerPluginInlineTraceDisabled(), operationSpanPlugin()],
  });
  await apollo.start();
  const identities = new WeakMap<http.IncomingMessage, Identity | null>();
  // A forged, stale or replayed identity is refused before Apollo parses anything: the signature must
  // cover this request's method, path and the exact bytes of its body.
  const admit: Admission = (req, body) => {
    try {
      const request = { method: req.method ?? '', target: req.url ?? '', body };
      identities.set(req, readIdentity(req.headers, request, check));
      return undefined;
    } catch (err) {
      if (!(err instanceof IdentityError)) throw err;
      return { status: 401, message: `Unauthenticated: ${err.message}`, code: ErrorCode.UNAUTHENTICATED };
    }
  };
  const graphql = apolloRoute(
    apollo,
    async (req) => opts.context(identities.get(req) ?? null),
    MAX_BODY_BYTES,
    1,
    admit,
  );
  const http = createHttpServer({
    '/graphql': graphql,
    '/metrics': metricsRoute(opts.name),
    '/health/live': (_req, res) => sendJson(res, 200, { status: 'ok', service: opts.name }),
    '/health/ready': (_req, res) => {
      const ready = opts.connection.readyState === mongoose.ConnectionStates.connected;
      sendJson(res, ready ? 200 : 503, {
        status: ready ? 'ready' : 'database unavailable',
        service: opts.name,
      });
    },
  });
  return {
    http,
    listen: (port: number, host?: string) => listen(http, port, host),
    async close() {
      await closeServer(http);
      await apollo.stop();
    },
  };
}
