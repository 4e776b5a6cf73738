import { ConfigError, envEnum, envOptionalString, envUrl } from '../config';

const EXPORTERS = ['zipkin', 'otlp', 'console', 'none'] as const;
const HTTP = ['http:', 'https:'];

const isSet = (value: string | undefined) => value !== undefined && value.trim() !== '';

/** Where spans go when OTEL_TRACES_EXPORTER is unset: over OTLP when an OTLP endpoint is given, else Zipkin. */
export const defaultTracesExporter = (env: NodeJS.ProcessEnv): 'otlp' | 'zipkin' =>
  isSet(env.OTEL_EXPORTER_OTLP_ENDPOINT) || isSet(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ? 'otlp' : 'zipkin';

/** True when this environment's services send their spans to Zipkin (the stack then runs one). */
export function exportsToZipkin(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = isSet(env.OTEL_TRACES_EXPORTER)
    ? (env.OTEL_TRACES_EXPORTER ?? '')
    : defaultTracesExporter(env);
  return exporters.split(',').some((e) => e.trim() === 'zipkin');
}

/**
 * The OpenTelemetry variables our services use, checked at start with the other settings (the SDK
 * itself would only warn, or drop every span without a word): whether tracing is on, where spans go.
 * The SDK reads them again itself (register.ts); this is the check, and what --check-config reports.
 */
export function readTracingConfig(env: NodeJS.ProcessEnv = process.env) {
  const disabled = envEnum('OTEL_SDK_DISABLED', 'false', ['true', 'false'] as const, env) === 'true';
  const exporters = (envOptionalString('OTEL_TRACES_EXPORTER', env) ?? 'zipkin')
    .split(',')
    .map((e) => e.trim());
  const unknown = exporters.find((e) => !(EXPORTERS as readonly string[]).includes(e));
  if (unknown !== undefined)
    throw new ConfigError(
      'OTEL_TRACES_EXPORTER',
      `must be a list of ${EXPORTERS.join(', ')}, got "${unknown}"`,
    );
  const optionalUrl = (name: string) =>
    envOptionalString(name, env) === undefined ? undefined : envUrl(name, '', HTTP, env);
  return {
    disabled,
    exporters,
    serviceName: envOptionalString('OTEL_SERVICE_NAME', env),
    zipkinEndpoint: envUrl('OTEL_EXPORTER_ZIPKIN_ENDPOINT', 'http://localhost:9411/api/v2/spans', HTTP, env),
    otlpEndpoint:
      optionalUrl('OTEL_EXPORTER_OTLP_ENDPOINT') ?? optionalUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'),
  };
}
