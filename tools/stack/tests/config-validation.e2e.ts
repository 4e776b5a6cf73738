import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { appServices, type AppServiceName } from '../src/services';

const repoRoot = path.resolve(__dirname, '../../..');

/** A TCP port that only counts who connects: every address a service could reach points at one. */
async function trap(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('trap has no port');
  return {
    port: address.port,
    connections: () => count,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Run {
  code: number | null;
  lines: string[];
  ms: number;
}

/** Starts a service as `npm start` does and waits for it to exit (or kills it after `timeoutMs`). */
function runService(name: AppServiceName, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  const entry = appServices.find((s) => s.name === name)?.entry ?? '';
  const began = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, entry)], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, lines: output.split('\n').filter((l) => l.trim() !== ''), ms: Date.now() - began });
    });
  });
}

/** What a log line says (the JSON of common/src/logger.ts), or the raw line if it is not one. */
function logLine(line: string): { msg: unknown; error: unknown } | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof parsed === 'object' && parsed !== null && 'msg' in parsed && 'error' in parsed)
    return { msg: parsed.msg, error: parsed.error };
  return line;
}

/** The environment of a service whose every connection would reach the trap. */
function trappedEnv(port: number, bad: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (/_URL$|^KAFKA_|^MONGO_|^REDIS_|^LOG_LEVEL$/.test(k)) delete env[k];
  const http = `http://127.0.0.1:${port}/graphql`;
  return {
    ...env,
    PORT: '0',
    KAFKA_BROKERS: `127.0.0.1:${port}`,
    MONGO_URL: `mongodb://127.0.0.1:${port}`,
    REDIS_URL: `redis://127.0.0.1:${port}`,
    SMTP_URL: `smtp://127.0.0.1:${port}`,
    DRIVERS_URL: http,
    PASSENGERS_URL: http,
    TRIPS_URL: http,
    GATEWAY_URL: http,
    SIMULATOR_TOKEN: 'not-checked-before-the-bad-value',
    ...bad,
  };
}

/** [service, the bad setting, what the one line must say about it] */
const cases: Array<[AppServiceName, Record<string, string>, RegExp]> = [
  ['drivers', { TRIPS_URL: 'ftp://x' }, /TRIPS_URL must use http: or https:/],
  ['drivers', { TRIP_EVENTS_PARTITIONS: 'abc' }, /TRIP_EVENTS_PARTITIONS must be an integer, got "abc"/],
  ['passengers', { PORT: '99999' }, /PORT must be <= 65535, got 99999/],
  ['passengers', { MONGO_URL: 'http://127.0.0.1:1' }, /MONGO_URL must use mongodb: or mongodb\+srv:/],
  ['trips', { TRIP_EVENTS_PARTITIONS: 'abc' }, /TRIP_EVENTS_PARTITIONS must be an integer/],
  ['trips', { KAFKA_NAMESPACE: 'bad name' }, /KAFKA_NAMESPACE must be .*got "bad name"/],
  ['trips', { TRIP_MONITOR_INTERVAL_MS: 'soon' }, /TRIP_MONITOR_INTERVAL_MS must be an integer/],
  ['gateway', { DRIVERS_URL: 'ftp://x' }, /DRIVERS_URL must use http: or https:, got "ftp:"/],
  ['gateway', { PORT: '99999' }, /PORT must be <= 65535/],
  ['orchestrator', { DRIVERS_URL: 'ftp://x' }, /DRIVERS_URL must use http: or https:/],
  ['simulator', { SIM_ROUTE_STEPS: '0' }, /SIM_ROUTE_STEPS must be >= 1, got 0/],
  ['archiver', { KAFKA_NAMESPACE: 'bad name' }, /KAFKA_NAMESPACE must be/],
  ['reporting', { MONGO_DB: 'a/b' }, /MONGO_DB must be/],
  ['notifier', { TRIP_EVENTS_PARTITIONS: '0' }, /TRIP_EVENTS_PARTITIONS must be >= 1, got 0/],
  ['notifier', { LOG_LEVEL: 'verbose' }, /LOG_LEVEL must be one of debug, info, warn, error/],
  [
    'alerter',
    { ALERT_EMAIL_TO: 'admins' },
    /ALERT_EMAIL_TO must be comma-separated email addresses, got "admins"/,
  ],
  ['alerter', { ALERT_WEBHOOK_URLS: 'https://hooks.example.com/a' }, /ALERT_WEBHOOK_SECRET must be set/],
];

/**
 * Every service reads and checks all of its settings before it connects to anything: a bad value ends
 * the start at once, with one line naming the variable and what is wrong, and a non-zero exit. Every
 * address the service could reach points at a trap that counts connections: there must be none.
 */
describe('configuration checked at start', () => {
  it.concurrent.each(cases)('%s with %j exits at once with one line naming it', async (name, bad, says) => {
    const port = await trap();
    try {
      const run = await runService(name, trappedEnv(port.port, bad), 60_000);
      const lines = run.lines.map(logLine);
      expect({ code: run.code, lines }).toMatchObject({ code: 1, lines: [{ msg: 'invalid configuration' }] });
      expect(String(typeof lines[0] === 'object' ? lines[0].error : lines[0])).toMatch(says);
      // Loading the modules is all that comes before the check (seconds, on a busy machine).
      expect(run.ms).toBeLessThan(30_000);
      expect(port.connections()).toBe(0);
    } finally {
      await port.close();
    }
  });

  it('should connect with a valid configuration (the trap sees it)', async () => {
    const port = await trap();
    try {
      const run = await runService('passengers', trappedEnv(port.port, {}), 8_000);
      expect(run.code).not.toBe(0); // it waited on the trap until killed, or gave up on it
      expect(port.connections()).toBeGreaterThan(0);
    } finally {
      await port.close();
    }
  });
});
