import { trace } from '@opentelemetry/api';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

/**
 * Names the request's span after its GraphQL operation (`query TripDetails`, `mutation requestTrip`),
 * as Apollo Router and Hive Gateway do, instead of a bare `POST`: a trace list then reads as the
 * operations people ran. The span is the HTTP server span the instrumentation started. The response
 * names the trace in a `traceresponse` header (W3C Trace Context level 2).
 */
export function operationSpanPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, operationName, request, response }) {
          // Only an HTTP request's own span: an operation run inside another span (the gateway's
          // subscription deliveries) must not rename it.
          const span = trace.getActiveSpan();
          if (!span || !operation || !request.http) return;
          span.updateName(`${operation.operation} ${operationName ?? 'anonymous'}`);
          span.setAttribute('graphql.operation.type', operation.operation);
          if (operationName) span.setAttribute('graphql.operation.name', operationName);
          // W3C `traceresponse`: the caller (a person in Sandbox) learns which trace to open.
          const { traceId, spanId, traceFlags } = span.spanContext();
          if (trace.isSpanContextValid(span.spanContext()))
            response.http.headers.set('traceresponse', `00-${traceId}-${spanId}-0${traceFlags & 1}`);
        },
      };
    },
  };
}
