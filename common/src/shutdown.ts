import type { Logger } from './logger';
import { flushTracing } from './tracing/context';

export type Closer = () => Promise<unknown> | unknown;

/**
 * Runs the closers in reverse order of registration on SIGTERM/SIGINT, then exits.
 * Order matters: stop accepting work first (registered last), disconnect clients after.
 */
export function handleShutdown(log: Logger, closers: Closer[], timeoutMs = 15_000): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    const timer = setTimeout(() => {
      log.error('shutdown timed out, exiting', { timeoutMs });
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    let code = 0;
    for (const close of [...closers].reverse()) {
      try {
        await close();
      } catch (err) {
        code = 1;
        log.error('error while closing', { error: err instanceof Error ? err.message : String(err) });
      }
    }
    // The last spans (this shutdown's included) would be lost with the process.
    await flushTracing().catch(() => undefined);
    log.info('stopped');
    process.exit(code);
  };
  // `on`, not `once`: a repeated signal (Ctrl-C reaches a whole process group) must not kill the
  // process half-way through its shutdown; `stop` runs once.
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
