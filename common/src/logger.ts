import { trace } from '@opentelemetry/api';
import pino from 'pino';

/**
 * One-line JSON logs (pino) on stderr, so every process logs the same way. Writes are synchronous:
 * a line logged just before a crash is not lost, and the start-up line tests wait for comes at once.
 * Each line carries `trace_id`/`span_id` when it is logged inside a span, so a log line leads to its
 * trace. `npm start` in a terminal shows the lines readably (tools/stack/src/log-lines.ts).
 */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Always written, whatever LOG_LEVEL says: start-up lines that supervisors and tests wait for. */
  notice(msg: string, fields?: Record<string, unknown>): void;
}

// Above `error`, the highest LOG_LEVEL a service accepts, so it is never filtered out.
const customLevels = { notice: 55 } as const;
const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

const destination = pino.destination({ dest: 2, sync: true });

/** The current span's ids, for log lines written inside one. */
function traceFields(): Record<string, string> {
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !trace.isSpanContextValid(context)) return {};
  return { trace_id: context.traceId, span_id: context.spanId };
}

export function createLogger(service: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  const logger = pino<keyof typeof customLevels>(
    {
      level: (LEVELS as readonly string[]).includes(level) ? level : 'info',
      customLevels,
      base: { service },
      // Level names, not numbers: `"level":"warn"` is what people and log tools search for.
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: traceFields,
    },
    destination,
  );
  const at = (lvl: (typeof LEVELS)[number] | 'notice') => (msg: string, fields?: Record<string, unknown>) =>
    fields ? logger[lvl](fields, msg) : logger[lvl](msg);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), notice: at('notice') };
}

export function errorFields(err: unknown): Record<string, unknown> {
  return err instanceof Error ? { error: err.message, name: err.name } : { error: String(err) };
}
