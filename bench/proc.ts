import fs from 'node:fs';

/** Linux reports utime/stime in clock ticks of USER_HZ, which is 100 on every mainstream kernel. */
const TICKS_PER_SECOND = 100;

/** Reads one `VmXXX:   1234 kB` field of /proc/<pid>/status, in MiB; undefined once the process is gone. */
export function readProcStatusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match?.[1] ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system, all threads) a process has used so far, in ms; undefined once it is gone. */
export function readCpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm) ": state is field 3, utime 14 and stime 15 (1-based, see proc(5)).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The PIDs of running processes whose command name is `comm` (e.g. the FerretDB server), if any. */
export function findPidsByComm(comm: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return fs.readFileSync(`/proc/${d}/comm`, 'utf8').trim() === comm;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * The MongoDB-protocol server at MONGO_URL's port, if it runs here (FerretDB or mongod); 0 otherwise.
 * Matched by port, so a second stack's server on the same machine is not taken for it.
 */
export function findDatabasePid(mongoUrl: string): number {
  const port = new URL(mongoUrl).port || '27017';
  const candidates = [...findPidsByComm('ferretdb'), ...findPidsByComm('mongod')];
  return (
    candidates.find((pid) => {
      try {
        const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return args.some((a) => a.endsWith(`:${port}`) || a === port);
      } catch {
        return false;
      }
    }) ?? 0
  );
}

/** Samples a process's resident set size every intervalMs; `stop()` returns the peak seen (MiB). */
export function sampleRss(pid: number, intervalMs = 200): { stop(): number } {
  let peak = readProcStatusMiB(pid, 'VmRSS') ?? 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, readProcStatusMiB(pid, 'VmRSS') ?? 0);
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, readProcStatusMiB(pid, 'VmRSS') ?? 0);
    },
  };
}

/** CPU ms each named process used between start and `stop()`. */
export function measureCpu(pids: Record<string, number>): { stop(): Record<string, number> } {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, readCpuMs(pid) ?? NaN]));
  return {
    stop: () =>
      Object.fromEntries(
        Object.entries(pids).map(([name, pid]) => [name, (readCpuMs(pid) ?? NaN) - (before[name] ?? NaN)]),
      ),
  };
}

/** CPU ms all CPUs of the machine spent busy (not idle or waiting for I/O) between start and `stop()`. */
export function measureMachineCpu(): { stop(): number } {
  const busy = () => {
    // First line of /proc/stat: "cpu user nice system idle iowait irq softirq steal ..." in ticks.
    const ticks = fs
      .readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const total = ticks.slice(0, 8).reduce((n, t) => n + t, 0);
    return ((total - (ticks[3] ?? 0) - (ticks[4] ?? 0)) * 1000) / TICKS_PER_SECOND;
  };
  const before = busy();
  return { stop: () => busy() - before };
}
