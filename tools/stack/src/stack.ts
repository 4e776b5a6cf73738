import fs from 'node:fs';
import path from 'node:path';
import { kafkaService } from './kafka';
import { maildevService } from './maildev';
import { mongoService } from './mongo';
import { postgresService } from './postgres';
import { portInUse, waitUntil } from './net';
import { stackDir } from './paths';
import { isOurProcess, readPid, spawnDetached, stopProcess } from './proc';
import { redisService } from './redis';
import { zipkinService } from './zipkin';
import type { ManagedService } from './service';

export const services: ManagedService[] = [
  kafkaService,
  postgresService,
  mongoService,
  redisService,
  zipkinService,
  maildevService,
];

/** The services this configuration runs or checks (PostgreSQL only under the stack's FerretDB). */
const activeServices = () => services.filter((s) => s.needed?.() ?? true);

export const pidFile = (s: ManagedService) => path.join(stackDir(), `${s.name}.pid`);
export const logFile = (s: ManagedService) => path.join(stackDir(), 'logs', `${s.name}.log`);

/** Set when the user points us at an existing instance; the stack then leaves that service alone. */
const externalValue = (s: ManagedService) => {
  const v = process.env[s.envVar];
  return v === undefined || v === '' ? undefined : v;
};

export function runningPid(s: ManagedService): number | undefined {
  const pid = readPid(pidFile(s));
  return pid !== undefined && isOurProcess(pid, stackDir()) ? pid : undefined;
}

export interface ServiceStatus {
  name: string;
  mode: 'managed' | 'external';
  value: string;
  pid?: number;
  healthy: boolean;
  detail: string;
}

/** The environment variables clients should use to reach the stack. */
export function stackEnv(): Record<string, string> {
  const env = Object.fromEntries(activeServices().map((s) => [s.envVar, externalValue(s) ?? s.localValue]));
  // Where a trace is looked at (alerts link to `<TRACE_UI_URL>/traces/<id>`): Zipkin's UI beside its API.
  const spans = env[zipkinService.envVar];
  if (spans && !process.env.TRACE_UI_URL) env.TRACE_UI_URL = new URL('/zipkin', spans).href;
  return env;
}

function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Brings one service up; returns true when this call started it. Idempotent. */
async function upOne(s: ManagedService): Promise<boolean> {
  const external = externalValue(s);
  if (external) {
    await waitUntil(`${s.name} at ${s.envVar}=${external}`, () => s.healthy(external), 15_000);
    console.log(`[stack] ${s.name}: using ${s.envVar}=${external} (healthy)`);
    return false;
  }
  const existing = runningPid(s);
  if (existing) {
    await waitUntil(s.name, () => s.healthy(s.localValue), s.startTimeoutMs);
    console.log(`[stack] ${s.name}: already running (pid ${existing})`);
    return false;
  }
  for (const port of s.ports) {
    if (await portInUse(port)) {
      throw new Error(
        `${s.name}: port ${port} is already in use by a process this stack did not start. Stop it, or set ${s.envVar} to use that instance instead.`,
      );
    }
  }
  const pid = await startManaged(s);
  console.log(`[stack] ${s.name}: started ${s.describe()} (pid ${pid}) at ${s.localValue}`);
  return true;
}

/** Installs, prepares and starts a service the stack runs itself; resolves with its PID once healthy. */
export async function startManaged(s: ManagedService): Promise<number> {
  await s.install();
  await s.prepare?.();
  const { cmd, args, user, env } = s.command();
  const pid = spawnDetached(cmd, args, {
    logFile: logFile(s),
    pidFile: pidFile(s),
    cwd: path.join(stackDir(), s.name),
    user,
    env: env && { ...process.env, ...env },
  });
  try {
    await waitUntil(
      s.name,
      () => s.healthy(s.localValue),
      s.startTimeoutMs,
      () => !isOurProcess(pid, stackDir()),
    );
  } catch (err) {
    console.error(`[stack] ${s.name} failed to start; last lines of ${logFile(s)}:\n${tail(logFile(s))}`);
    await stopProcess(pid, 5_000, s.stopSignal);
    throw err;
  }
  return pid;
}

/** Brings the whole stack up in parallel (each after the one it needs); returns what this call started. */
export async function up(): Promise<string[]> {
  fs.mkdirSync(stackDir(), { recursive: true });
  const active = activeServices();
  const starting = new Map<string, Promise<boolean>>();
  const results = await Promise.allSettled(
    active.map((s) => {
      const before = s.after ? starting.get(s.after) : undefined;
      const start = before ? before.then(() => upOne(s)) : upOne(s);
      starting.set(s.name, start);
      return start;
    }),
  );
  const started = active
    .filter((_, i) => results[i]?.status === 'fulfilled' && results[i].value)
    .map((s) => s.name);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) {
    await down(started);
    throw new Error(
      failed.map((r) => (r.reason instanceof Error ? r.reason.message : String(r.reason))).join('\n'),
    );
  }
  return started;
}

/** Stops the services this stack started (all, or only the named ones). External ones are left alone. */
export async function down(only?: string[]): Promise<void> {
  const stop = async (s: ManagedService) => {
    const pid = runningPid(s);
    if (pid) {
      await stopProcess(pid, undefined, s.stopSignal);
      console.log(`[stack] ${s.name}: stopped (pid ${pid})`);
    }
    fs.rmSync(pidFile(s), { force: true });
  };
  const chosen = services.filter((s) => !only || only.includes(s.name));
  // Clients first (FerretDB), then what they stand on (PostgreSQL).
  const needed = new Set(services.map((s) => s.after));
  await Promise.all(chosen.filter((s) => !needed.has(s.name)).map(stop));
  await Promise.all(chosen.filter((s) => needed.has(s.name)).map(stop));
}

export async function status(): Promise<ServiceStatus[]> {
  return Promise.all(
    activeServices().map(async (s): Promise<ServiceStatus> => {
      const external = externalValue(s);
      if (external) {
        const healthy = await s.healthy(external);
        return {
          name: s.name,
          mode: 'external',
          value: external,
          healthy,
          detail: healthy ? 'external, healthy' : 'external, not answering',
        };
      }
      const pid = runningPid(s);
      const healthy = pid !== undefined && (await s.healthy(s.localValue));
      const detail =
        pid === undefined
          ? 'stopped'
          : healthy
            ? `running, healthy (${s.describe()})`
            : 'running, not healthy yet';
      return { name: s.name, mode: 'managed', value: s.localValue, pid, healthy, detail };
    }),
  );
}

export function logs(name?: string, lines = 50): string {
  return services
    .filter((s) => !name || s.name === name)
    .map((s) => `==> ${logFile(s)} <==\n${tail(logFile(s), lines)}`)
    .join('\n');
}
