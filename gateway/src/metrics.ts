import type { ApolloServerPlugin } from '@apollo/server';
import type { Fetcher } from '@apollo/utils.fetcher';
import type { ExecutionResult } from 'graphql';
import { boundedLabel, counter, durationHistogram, gauge, scrapedGauge } from '@rideshare/common';
import type { GatewayContext } from './gateway';

// The gateway's metrics (docs/metrics.md). Counters and histograms are per replica: aggregate with sum.

const requestDuration = durationHistogram({
  name: 'gateway_request_duration_seconds',
  help: 'GraphQL requests over HTTP, from the start of their execution to the response, by operation name, type (query, mutation, unknown: did not resolve) and outcome (ok, error).',
  labelNames: ['operation', 'type', 'outcome'],
});

const subgraphFetchDuration = durationHistogram({
  name: 'gateway_subgraph_fetch_duration_seconds',
  help: 'Calls from the gateway to a subgraph, by subgraph and outcome (ok, http_error, failed: unreachable or timed out).',
  labelNames: ['subgraph', 'outcome'],
});

const webSocketConnections = scrapedGauge({
  name: 'gateway_websocket_connections',
  help: 'Open graphql-ws connections on this gateway.',
  labelNames: [],
});

const activeSubscriptions = gauge({
  name: 'gateway_active_subscriptions',
  help: 'Subscriptions streaming now on this gateway, by field.',
  labelNames: ['field'],
});

const deliveries = counter({
  name: 'gateway_subscription_deliveries_total',
  help: 'Updates delivered to subscribers, by field.',
  labelNames: ['field'],
});

const resolutions = counter({
  name: 'gateway_subscription_resolutions_total',
  help: 'Federated resolutions of subscription payloads executed, by field.',
  labelNames: ['field'],
});

const sharedResolutions = counter({
  name: 'gateway_subscription_shared_resolutions_total',
  help: 'Subscription payloads served from a resolution another subscriber of the same selection had already started, by field.',
  labelNames: ['field'],
});

const rateLimitRejections = counter({
  name: 'gateway_rate_limit_rejections_total',
  help: 'Requests and connections refused by the rate limit, by caller (identified or anonymous).',
  labelNames: ['caller'],
});

/** Operation names are the client's choice: the first 200 distinct ones are labels, later ones `other`. */
const operationNames = boundedLabel(200);

/** The operation label of a request: its name, `anonymous` without one, `unknown` when it did not resolve. */
export function operationLabel(resolved: boolean, name: string | null | undefined): string {
  if (!resolved) return 'unknown';
  return name ? operationNames(name) : 'anonymous';
}

/** Times every client request Apollo runs (not the gateway's own subscription payload resolutions). */
export const requestMetricsPlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart({ contextValue }) {
    if (contextValue.internal) return;
    const stop = requestDuration.startTimer();
    return {
      async willSendResponse({ operation, response }) {
        const errors =
          response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0;
        stop({
          operation: operationLabel(!!operation, operation?.name?.value),
          type: operation?.operation ?? 'unknown',
          outcome: errors ? 'error' : 'ok',
        });
      },
    };
  },
};

/** A fetcher that times each call to its subgraph. */
export function timedFetcher(subgraph: string, fetcher: Fetcher): Fetcher {
  return async (url, init) => {
    const stop = subgraphFetchDuration.startTimer({ subgraph });
    try {
      const response = await fetcher(url, init);
      stop({ outcome: response.ok ? 'ok' : 'http_error' });
      return response;
    } catch (err) {
      stop({ outcome: 'failed' });
      throw err;
    }
  };
}

/** Reports the socket count of one subscription server; returns the stop. */
export const watchWebSocketConnections = (connections: () => number): (() => void) =>
  webSocketConnections.addSource(async () => [{ labels: {}, value: connections() }]);

/** Counts one payload resolution of a live field: executed, or shared with another subscriber. */
export function countResolution(field: string, shared: boolean): void {
  (shared ? sharedResolutions : resolutions).inc({ field });
}

/** Counts a request or connection the rate limit refused. */
export const countRateLimitRejection = (caller: 'identified' | 'anonymous'): void =>
  rateLimitRejections.inc({ caller });

type Stream = AsyncIterableIterator<ExecutionResult> & { return(): Promise<IteratorResult<ExecutionResult>> };

/**
 * A subscriber's stream, counted: active while it runs (until it ends, the client unsubscribes or
 * the socket closes), and one delivery per update it yields.
 */
export function countedStream(field: string, stream: Stream): Stream {
  activeSubscriptions.inc({ field });
  let open = true;
  const end = () => {
    if (!open) return;
    open = false;
    activeSubscriptions.dec({ field });
  };
  return {
    async next() {
      try {
        const result = await stream.next();
        if (result.done) end();
        else deliveries.inc({ field });
        return result;
      } catch (err) {
        end();
        throw err;
      }
    },
    async return() {
      end();
      return stream.return();
    },
    async throw(err: unknown) {
      end();
      if (stream.throw) return stream.throw(err);
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
