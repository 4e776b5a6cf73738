import fs from 'node:fs';
import { portInUse, waitUntil } from './net';
import { stackDir } from './paths';
import { sleep, stopProcess } from './proc';
import type { ManagedService } from './service';
import { pidFile, runningPid, services, startManaged } from './stack';

export type StackServiceName = ManagedService['name'];

export interface RestartOptions {
  /** How the process is stopped: SIGKILL for a crash; default the service's clean stop signal. */
  signal?: NodeJS.Signals;
  /** How long it stays down before it is started again. */
  downMs?: number;
}

export interface Restarted {
  name: StackServiceName;
  stoppedPid: number;
  pid: number;
  /** When the process was gone, and when the new one answered its health check (epoch ms). */
  stoppedAt: number;
  healthyAt: number;
}

/**
 * Stops one infrastructure service this stack runs and starts it again, as `up` would, resolving once
 * the new process is healthy (the fault suite restarts Kafka, Redis and the database mid-run). An
 * external service (KAFKA_BROKERS etc. pointing elsewhere) is not ours to restart: that throws.
 */
export async function restartStackService(
  name: StackServiceName,
  { signal, downMs = 0 }: RestartOptions = {},
): Promise<Restarted> {
  const service = services.find((s) => s.name === name);
  if (!service) throw new Error(`no stack service "${name}"`);
  const stoppedPid = runningPid(service);
  if (stoppedPid === undefined)
    throw new Error(
      `${name} is not running under the stack in ${stackDir()}: only a service the stack started can be restarted`,
    );
  await stopProcess(stoppedPid, 30_000, signal ?? service.stopSignal);
  // PostgreSQL reads its lock file's PID as alive until the killed postmaster is reaped (a zombie).
  await waitUntil(`${name} (pid ${stoppedPid}) to be reaped`, async () => !exists(stoppedPid), 15_000).catch(
    () => undefined,
  );
  fs.rmSync(pidFile(service), { force: true });
  // A killed server's port is free at once, but a cleanly stopping one may still hold it for a moment.
  for (const port of service.ports)
    await waitUntil(`${name}'s port ${port} to be free`, async () => !(await portInUse(port)), 30_000);
  const stoppedAt = Date.now();
  if (downMs > 0) await sleep(downMs);
  const pid = await startWithRetries(service);
  return { name, stoppedPid, pid, stoppedAt, healthyAt: Date.now() };
}

/** Whether any process, a zombie included, still has this PID. */
const exists = (pid: number) => fs.existsSync(`/proc/${pid}`);

/**
 * A crashed server may refuse to start for a moment (PostgreSQL while the killed postmaster's
 * backends, which do not share its process group, are still exiting): try a few times.
 */
async function startWithRetries(service: ManagedService, attempts = 3): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startManaged(service);
    } catch (err) {
      if (attempt >= attempts) throw err;
      await sleep(2_000);
    }
  }
}
