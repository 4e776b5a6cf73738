import { NodeSDK } from '@opentelemetry/sdk-node';
import { envDetector, hostDetector } from '@opentelemetry/resources';
import type { Instrumentation } from '@opentelemetry/instrumentation';

const isSet = (value: string | undefined) => value !== undefined && value.trim() !== '';

/**
 * Our defaults under the standard variables, without overriding what is set: export to Zipkin
 * unless an OTLP endpoint is given, and leave OTel metrics and logs off.
 */
export function tracingDefaults(env: NodeJS.ProcessEnv): Record<string, string> {
  const defaults: Record<string, string> = {};
  const otlp = isSet(env.OTEL_EXPORTER_OTLP_ENDPOINT) || isSet(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (!isSet(env.OTEL_TRACES_EXPORTER)) defaults.OTEL_TRACES_EXPORTER = otlp ? 'otlp' : 'zipkin';
  if (!isSet(env.OTEL_METRICS_EXPORTER)) defaults.OTEL_METRICS_EXPORTER = 'none';
  if (!isSet(env.OTEL_LOGS_EXPORTER)) defaults.OTEL_LOGS_EXPORTER = 'none';
  return defaults;
}

/**
 * Starts the SDK (it reads OTEL_* itself; OTEL_SDK_DISABLED=true makes this a no-op). Resource
 * detection is limited to the environment and the host (the process detector adds nine tags to every
 * span, the cloud detectors would probe
 * metadata servers that do not exist here). Spans are flushed by the service's shutdown
 * (flushTracing in ../shutdown.ts).
 */
export function startTracing(env: NodeJS.ProcessEnv, instrumentations: () => Instrumentation[]): void {
  Object.assign(env, tracingDefaults(env));
  const sdk = new NodeSDK({
    instrumentations: instrumentations(),
    resourceDetectors: [envDetector, hostDetector],
  });
  sdk.start();
}
