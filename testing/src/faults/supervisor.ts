import type { AppServiceName } from '@rideshare/stack';
import type { TestSystem } from '../testing';

/**
 * Keeps a test system's services running as `npm start`'s supervisor does: a service that exits on
 * its own is started again (same environment, same port) and counted, so a fault that makes a service
 * give up shows in the fault table instead of stalling the rest of the suite. `crash` kills one on
 * purpose (SIGKILL), which is not counted.
 */
export function superviseSystem(system: TestSystem) {
  const exits = new Map<AppServiceName, number>();
  const expected = new Set<AppServiceName>();
  let halted = false;

  const portOf = (name: AppServiceName) => String(system.services.get(name)!.port);

  const restart = async (name: AppServiceName, port: string): Promise<void> => {
    for (let delay = 500; !halted; delay = Math.min(delay * 2, 10_000)) {
      await new Promise((r) => setTimeout(r, delay));
      if (halted) return;
      try {
        watch(name, await system.start(name, { PORT: port }));
        return;
      } catch {
        // Still failing (e.g. its infrastructure is not back yet): back off and try again.
      }
    }
  };

  const watch = (name: AppServiceName, service = system.services.get(name)!) => {
    service.child.once('exit', () => {
      if (halted || expected.delete(name)) return;
      exits.set(name, (exits.get(name) ?? 0) + 1);
      void restart(name, String(service.port));
    });
  };
  for (const name of system.services.keys()) watch(name);

  /** Waits until a service answers /health/ready (a worker's consumer has joined its group). */
  const ready = (name: AppServiceName, timeoutMs = 90_000) => system.ready([name], timeoutMs);

  return {
    /** Unexpected exits so far, per service (each was restarted). */
    exits,
    ready,
    /** kill -9, down for `downMs`, then started again on the same port; resolves once it is ready. */
    async crash(name: AppServiceName, downMs: number): Promise<void> {
      const port = portOf(name);
      expected.add(name);
      await system.services.get(name)!.kill();
      await new Promise((r) => setTimeout(r, downMs));
      watch(name, await system.start(name, { PORT: port }));
      await ready(name);
    },
    /** From now on exits are expected (the system is being stopped). */
    halt() {
      halted = true;
    },
  };
}

export type SystemSupervisor = ReturnType<typeof superviseSystem>;
