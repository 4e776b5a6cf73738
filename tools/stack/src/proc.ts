import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Starts a long-running process detached from us, logging to a file, and records its PID. */
export function spawnDetached(
  command: string,
  args: string[],
  opts: {
    logFile: string;
    pidFile: string;
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    user?: { uid: number; gid: number };
  },
): number {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const out = fs.openSync(opts.logFile, 'a');
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', out, out],
    uid: opts.user?.uid,
    gid: opts.user?.gid,
  });
  fs.closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  child.unref();
  fs.writeFileSync(opts.pidFile, String(child.pid));
  return child.pid;
}

export function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie has exited; treat it as gone.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    return true;
  }
}

/**
 * True when the PID is alive and runs inside our stack directory (guards against PID reuse).
 * Checks the working directory as well as the command line: redis-server rewrites its process title.
 */
export function isOurProcess(pid: number, stackDir: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
    return cwd.startsWith(stackDir) || fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(stackDir);
  } catch {
    return true; // no /proc (not Linux): trust the PID file
  }
}

/** SIGTERM (or the given signal), wait, then SIGKILL the whole process group. */
export async function stopProcess(
  pid: number,
  graceMs = 30_000,
  stopSignal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal(stopSignal);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await sleep(100);
  }
  signal('SIGKILL');
  while (isAlive(pid)) await sleep(50);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs a set-up command (install, build) with inherited output; throws with a clear message on failure. */
export function runOrThrow(command: string, args: string[], what: string, opts: SpawnSyncOptions = {}): void {
  const result = spawnSync(command, args, { stdio: 'inherit', ...opts });
  if (result.error) throw new Error(`${what}: could not run ${command}: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`${what}: ${command} ${args.join(' ')} exited with ${result.status}`);
}

export function onPath(command: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const found = result.stdout.trim();
  return result.status === 0 && found ? found : undefined;
}
