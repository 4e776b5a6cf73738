import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
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

/**
 * Runs a set-up command (install, build) with inherited output; rejects with a clear message on
 * failure. Asynchronous: the other services' start-ups and health checks go on meanwhile (a blocking
 * FerretDB build used to run their health checks out of time).
 */
export function runOrThrow(
  command: string,
  args: string[],
  what: string,
  opts: SpawnOptions = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', ...opts });
    child.once('error', (err) => reject(new Error(`${what}: could not run ${command}: ${err.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${what}: ${command} ${args.join(' ')} exited with ${code ?? signal}`));
    });
  });
}

/** apt-get takes a lock of its own: installs of services starting side by side wait their turn. */
let aptQueue: Promise<void> = Promise.resolve();

/** Installs Debian packages (as root), one apt-get at a time. */
export function aptInstall(packages: string[], what: string): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = async () => {
    await runOrThrow('apt-get', ['update', '-qq'], what, { env });
    await runOrThrow('apt-get', ['install', '-y', '-qq', ...packages], what, { env });
  };
  const result = aptQueue.then(run);
  aptQueue = result.catch(() => undefined);
  return result;
}

export function onPath(command: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const found = result.stdout.trim();
  return result.status === 0 && found ? found : undefined;
}
