import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { readInfraConfig } from '@rideshare/common';
import { appServices } from '../src/services';

const repoRoot = path.resolve(__dirname, '../../..');

interface Found {
  pid: number;
  cmd: string;
}

/** Every live process whose environment holds `marker` (e.g. `STACK_DIR=…`), or that runs in `dir`. */
function processesWith(marker: string, dir?: string): Found[] {
  const found: Found[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (/\) Z /.test(fs.readFileSync(`/proc/${entry}/stat`, 'utf8'))) continue; // exited, not yet reaped
      const environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      const cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
      const inDir = dir !== undefined && (cwd === dir || cwd.startsWith(dir + path.sep) || cmd.includes(dir));
      if (environ.includes(marker) || inDir) found.push({ pid: Number(entry), cmd });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** What is left after `withinMs` (a process may take a moment to go after its parent). */
async function leftAfter(find: () => Found[], withinMs: number): Promise<Found[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const left = find();
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const killAll = (found: Found[]) => {
  for (const { pid } of found)
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
};

/** A process started in its own process group, as a terminal starts a command. */
function startGroup(cmd: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(cmd, args, { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));
  const pid = child.pid ?? 0;
  return {
    pid,
    output: () => output,
    /** Waits until the output matches (the rest of the group may still write after the top exited). */
    async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(output);
        if (match) return match;
        if (Date.now() > deadline)
          throw new Error(
            `no ${pattern} after ${timeoutMs} ms${done ? ' (it exited)' : ''}:\n${output.slice(-3_000)}`,
          );
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    /** How it exited; throws if it still runs after `timeoutMs`. */
    async exit(timeoutMs: number): Promise<{ code: number | null; signal: string | null }> {
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs));
      const result = await Promise.race([exited, timer]);
      if (result === 'timeout')
        throw new Error(`still running after ${timeoutMs} ms:\n${output.slice(-3_000)}`);
      return result;
    },
  };
}

async function isFree(port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port for each name, and a free gateway port whose service ports (+1…+3, +101…+106) are free too. */
async function freePorts() {
  const taken = new Set<number>();
  const pick = async (span: number[]): Promise<number> => {
    for (;;) {
      // Below the kernel's ephemeral range (32768 and up): a port free now could otherwise be taken by
      // an outgoing connection before the last service listens (the alerter once met EADDRINUSE).
      const base = 20_000 + crypto.randomInt(12_000);
      const ports = span.map((d) => base + d);
      if (ports.some((p) => taken.has(p))) continue;
      if ((await Promise.all(ports.map(isFree))).every(Boolean)) {
        ports.forEach((p) => taken.add(p));
        return base;
      }
    }
  };
  return {
    kafka: await pick([0, 1]), // the controller listens on the next port
    mongo: await pick([0]),
    postgres: await pick([0]),
    redis: await pick([0]),
    smtp: await pick([0]),
    maildev: await pick([0]),
    app: await pick(appServices.map((s) => s.port - 4000)),
  };
}

/**
 * `npm start` as a terminal runs it: in a process group of its own, Ctrl-C being SIGINT to the whole
 * group. It gets a stack directory and ports of its own (not the suite's stack), and every process of
 * the run is found by that directory in its environment (or as its working directory).
 */
describe('stopping npm start', () => {
  let dir = '';
  const ours = () => processesWith(`STACK_DIR=${dir}`, dir);
  let env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shutdown-'));
    const ports = await freePorts();
    env = { ...process.env };
    // The suite's own stack and services must not leak in: this run starts its own.
    for (const k of Object.keys(env)) if (/_URL$|^KAFKA_BROKERS$|^KAFKA_NAMESPACE$/.test(k)) delete env[k];
    Object.assign(env, {
      STACK_DIR: dir,
      STACK_KAFKA_PORT: String(ports.kafka),
      STACK_KAFKA_CONTROLLER_PORT: String(ports.kafka + 1),
      STACK_MONGO_PORT: String(ports.mongo),
      STACK_POSTGRES_PORT: String(ports.postgres),
      STACK_REDIS_PORT: String(ports.redis),
      STACK_SMTP_PORT: String(ports.smtp),
      STACK_MAILDEV_PORT: String(ports.maildev),
      STACK_APP_PORT: String(ports.app),
      LOG_LEVEL: 'warn',
    });
  });

  afterAll(() => {
    if (!dir) return;
    killAll(ours());
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('should stop every service and the infrastructure it started on one Ctrl-C, and return', async () => {
    const run = startGroup('npm', ['start'], env);
    await run.waitFor(/Press Ctrl-C to stop/, 300_000);
    const running = ours();
    expect(running.filter((p) => p.cmd.includes('/src/')).length).toBeGreaterThanOrEqual(appServices.length);

    process.kill(-run.pid, 'SIGINT');

    await run.exit(90_000);
    expect(run.output()).toMatch(/kafka: stopped/);
    expect(run.output()).not.toMatch(/forced/); // npm passes the Ctrl-C on again: still one press
    expect(await leftAfter(ours, 5_000)).toEqual([]);
  }, 600_000);

  it('should stop on SIGTERM to the top process, and a second Ctrl-C during a slow stop forces it', async () => {
    const run = startGroup('npm', ['start'], env);
    await run.waitFor(/Press Ctrl-C to stop/, 300_000);
    const gateway = ours().find((p) => p.cmd.includes('gateway/src/index.ts'));
    const worker = (p: Found) => p.cmd.includes('/workers/');
    expect(gateway).toBeDefined();
    // A gateway that cannot stop: the clean stop waits for it (up to its grace period).
    process.kill(gateway?.pid ?? 0, 'SIGSTOP');

    process.kill(run.pid, 'SIGTERM'); // npm alone, as `kill <pid>` does

    await run.waitFor(/\[start\] stopping/, 30_000);
    const stopSeenAt = Date.now();
    // The clean stop goes on: the workers stop first, then it waits on the gateway.
    expect(await leftAfter(() => ours().filter(worker), 30_000)).toEqual([]);
    expect(ours().some((p) => p.pid === gateway?.pid)).toBe(true);

    // A signal within a second of the first is the same press (npm and run.mjs pass it on), so the
    // second Ctrl-C comes later, as a person's would: the workers can be gone sooner than that.
    await new Promise((r) => setTimeout(r, Math.max(0, stopSeenAt + 2_000 - Date.now())));
    process.kill(-run.pid, 'SIGINT');

    expect(await leftAfter(ours, 15_000)).toEqual([]);
    expect(run.output()).toMatch(/forced: killing every process this run started/);
  }, 600_000);
});

/**
 * A bench interrupted leaves no service behind: the shared clean-up stops what it started, and a
 * service started with startService stops itself when the bench is gone, even by SIGKILL.
 */
describe('an interrupted bench', () => {
  const db = `t${crypto.randomBytes(4).toString('hex')}_bench_interrupt`;
  const env = { ...process.env, MONGO_DB: db, LOG_LEVEL: 'warn' };
  const services = () => processesWith(`MONGO_DB=${db}`).filter((p) => p.cmd.includes('passengers'));
  const fixture = path.join(__dirname, 'fixtures/interrupted-bench.ts');

  afterAll(async () => {
    killAll(services());
    const client = new MongoClient(readInfraConfig().mongoUrl);
    try {
      await client.db(db).dropDatabase();
    } finally {
      await client.close();
    }
  });

  it.each([
    [
      'SIGTERM to the bench alone',
      (pid: number) => process.kill(pid, 'SIGTERM'),
      { code: 143, signal: null },
    ],
    [
      'Ctrl-C (SIGINT to its process group)',
      (pid: number) => process.kill(-pid, 'SIGINT'),
      { code: 130, signal: null },
    ],
    [
      'SIGKILL of the bench',
      (pid: number) => process.kill(pid, 'SIGKILL'),
      { code: null, signal: 'SIGKILL' },
    ],
  ])(
    'should leave no service process after %s',
    async (_what, interrupt, exit) => {
      const bench = startGroup(process.execPath, ['--import', 'tsx', fixture], env);
      await bench.waitFor(/ready \d+/, 120_000);
      expect(services()).toHaveLength(1);

      interrupt(bench.pid);

      // Its clean-up ran (exit 130, 143), unless it was killed outright: then the service went alone.
      expect(await bench.exit(30_000)).toEqual(exit);
      expect(await leftAfter(services, 20_000)).toEqual([]);
    },
    180_000,
  );
});
