import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

/** Probes and scrapes, in and out, are not traced: they would bury the requests people look for. */
const UNTRACED_PATHS = /^\/(health\/(live|ready)|metrics)(\?|$)/;

/**
 * The libraries our services talk through: HTTP in and out (node:http, and undici for `fetch`, which
 * service-to-service GraphQL calls use), Kafka, MongoDB, Redis.
 */
export function serviceInstrumentations() {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.test(req.url ?? ''),
      // Readiness checks call the subgraphs' /health/ready.
      ignoreOutgoingRequestHook: (req) => UNTRACED_PATHS.test(req.path ?? ''),
    }),
    new UndiciInstrumentation({ ignoreRequestHook: (req) => UNTRACED_PATHS.test(req.path) }),
    new KafkaJsInstrumentation(),
    new MongoDBInstrumentation({ dbStatementSerializer: (cmd) => Object.keys(cmd).join(',') }),
    new IORedisInstrumentation(),
  ];
}
