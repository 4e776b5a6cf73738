/**
 * Preloaded into every service (`node --import …/register.ts` by the stack, `--require
 * dist/tracing.js` in the image): starts OpenTelemetry before the service's modules load, so the
 * http, kafkajs, mongodb and ioredis instrumentations can wrap them.
 *
 * Configured by the standard OTEL_* variables (read by the SDK itself): OTEL_SERVICE_NAME,
 * OTEL_TRACES_EXPORTER (`zipkin`, `otlp`, `console`, `none`), OTEL_EXPORTER_ZIPKIN_ENDPOINT,
 * OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_SAMPLER…; OTEL_SDK_DISABLED=true switches tracing off. Our
 * defaults: Zipkin unless an OTLP endpoint is given, and no OTel metrics or logs (metrics are
 * Prometheus text on /metrics, logs are pino lines carrying trace_id/span_id).
 */
import { serviceInstrumentations } from './instrumentations';
import { startTracing } from './sdk';

startTracing(process.env, serviceInstrumentations);
