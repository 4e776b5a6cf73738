/** Signals this soon after the first are the same Ctrl-C: npm and tools/run.mjs pass it on too. */
const SAME_PRESS_MS = 1_000;

/**
 * The first SIGINT, SIGTERM or SIGHUP asks for a clean stop; a later one forces it. `on`, not `once`:
 * a repeated signal must not kill us half-way through stopping, with the infrastructure left running.
 */
export function onStopSignals(stop: () => void, force: () => void): void {
  let first: number | undefined;
  const handle = () => {
    if (first === undefined) {
      first = Date.now();
      stop();
    } else if (Date.now() - first >= SAME_PRESS_MS) force();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, handle);
}
