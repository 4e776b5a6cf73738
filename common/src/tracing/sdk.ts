import { NodeSDK } from '@opentelemetry/sdk-node';
import { envDetector, hostDetector } from '@opentelemetry/resources';
import type { Instrumentation } from '@opentelemetry/instrumentation';

import path from 'node:path';
import { defaultTracesExporter } from './config';

const isSet = (value: string | undefined) => value !== undefined && value.trim() !== '';

/**
 * A service's name from the file it runs: `dist/gateway.js` in the image, `…/drivers/src/index.ts`
 * from source. The stack names each service itself; this serves containers that set nothing.
 */
export function serviceNameOf(entry: string | undefined): string {
  if (!entry) return 'rideshare';
  const name = path.basename(entry).replace(/\.[cm]?[jt]s$/, '');
  return name === 'index' ? path.basename(path.dirname(path.dirname(entry))) : name;
}

/**
 * Our defaults under the standard variables, without overriding what is set: export to Zipkin
 * unless an OTLP endpoint is given, and leave OTel metrics and logs off.
 */
export function tracingDefaults(env: NodeJS.ProcessEnv): Record<string, string> {
  const defaults: Record<string, string> = {};
  if (!isSet(env.OTEL_SERVICE_NAME)) defaults.OTEL_SERVICE_NAME = serviceNameOf(process.argv[1]);
  if (!isSet(env.OTEL_TRACES_EXPORTER)) defaults.OTEL_TRACES_EXPORTER = defaultTracesExporter(env);
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
