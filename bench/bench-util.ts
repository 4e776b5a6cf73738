/**
 * Small helpers shared by bench/lifecycle.ts and bench/subscriptions.ts: percentiles, /proc readings
 * (CPU time, RSS), bounded concurrency, a machine note, the results file and the clean-up on Ctrl-C.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Nearest-rank percentile of `values` (sorted in place); NaN for an empty list. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  values.sort((a, b) => a - b);
  const rank = Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1));
  return values[rank] ?? Number.NaN;
}

/** p50, p90, p99 and max, rounded to 0.1 (the unit of the values, e.g. ms). */
export function summarize(values: number[]) {
  const r = (v: number) => Math.round(v * 10) / 10;
  return {
    count: values.length,
    p50: r(percentile(values, 50)),
    p90: r(percentile(values, 90)),
    p99: r(percentile(values, 99)),
    max: r(percentile(values, 100)),
  };
}

const CLOCK_TICKS_PER_S = 100; // USER_HZ on Linux

/** CPU time (user + system) of a process so far, in ms, from /proc/<pid>/stat; 0 if it is gone. */
export function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after it are space-separated.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    return (ticks * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return 0;
  }
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU time of a whole PostgreSQL cluster so far, in ms: every live `postgres` process, plus what the
 * postmaster's exited children (backends that disconnected) used. 0 when none runs.
 */
export function postgresCpuMs(): number {
  const pids = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
      } catch {
        return false;
      }
    });
  let ticks = 0;
  for (const pid of pids) {
    const f = statFields(pid);
    if (!f) continue;
    ticks += Number(f[11]) + Number(f[12]); // utime, stime
    // The postmaster (its parent is no postgres process) also carries its reaped children's time.
    if (!pids.includes(Number(f[1]))) ticks += Number(f[13]) + Number(f[14]); // cutime, cstime
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_S;
}

/** A line of /proc/<pid>/status in MiB (VmRSS, VmHWM ...); NaN if it is gone. */
export function procStatusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Busy and total CPU time of the whole machine (all cores), in ms, from /proc/stat. */
export function machineCpuMs(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  return { busy: ((total - idle) * 1000) / CLOCK_TICKS_PER_S, total: (total * 1000) / CLOCK_TICKS_PER_S };
}

/** The machine as the results should describe it. */
export function machineNote() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAvg: os.loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
  };
}

export { mapLimit } from '@rideshare/common';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A small deterministic PRNG (mulberry32), so every run places drivers and trips the same way. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes `result` to bench/results/<name>-<time>.json (ignored by git) and returns the path. */
export function writeResult(name: string, result: unknown): string {
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}

/** Signals this soon after the first are the same Ctrl-C: npm and tsx pass it on as well. */
const SAME_PRESS_MS = 1_000;

export interface BenchCleanup {
  /** Stopped in reverse order of adding (last started, first stopped). */
  add(stop: () => Promise<unknown> | unknown): void;
  /** Runs the stops once; later calls wait for the same run. */
  stop(): Promise<void>;
}

/**
 * What a bench started, stopped once: at its end (`finally`), or on Ctrl-C or SIGTERM, after which
 * the bench exits (130, 143). A later second signal exits at once. Call it before starting anything:
 * services started with startService stop themselves once the bench is gone, however it went
 * (tools/stack/src/exit-with-parent.ts), so a signal before the first `add` leaves nothing running
 * but a test system's databases and topics.
 */
export function stopOnSignal(): BenchCleanup {
  const stops: Array<() => Promise<unknown> | unknown> = [];
  let running: Promise<void> | undefined;
  const stop = () =>
    (running ??= (async () => {
      for (const s of stops.splice(0).reverse()) {
        try {
          await s();
        } catch (err) {
          console.error(`[bench] while stopping: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })());
  let first: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (first === undefined) {
      first = Date.now();
      console.error(`\n[bench] ${signal}: stopping what the bench started (again to force)`);
      void stop().finally(() => process.exit(code));
    } else if (Date.now() - first >= SAME_PRESS_MS) process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, onSignal);
  return { add: (s) => void stops.push(s), stop };
}
