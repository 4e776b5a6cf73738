/** One-line JSON logs on stderr, so every process logs the same way and nothing is buffered. */
// `notice` is always written: start-up lines that supervisors and tests wait for.
type Level = 'debug' | 'info' | 'warn' | 'error' | 'notice';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, notice: 50 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  notice(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(service: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  const min = order[(level as Level) in order ? (level as Level) : 'info'];
  const write = (lvl: Level, msg: string, fields?: Record<string, unknown>) => {
    if (order[lvl] < min) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level: lvl, service, msg, ...fields });
    process.stderr.write(line + '\n');
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    notice: (m, f) => write('notice', m, f),
  };
}

export function errorFields(err: unknown): Record<string, unknown> {
  return err instanceof Error ? { error: err.message, name: err.name } : { error: String(err) };
}
