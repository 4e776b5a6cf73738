import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './paths';
import { withServiceCredentials } from './service-credentials';

/** The project's own processes, in start order. One name everywhere: folder = service = compose name. */
export const appServices = [
  { name: 'drivers', kind: 'subgraph', entry: 'subgraphs/drivers/src/index.ts', port: 4001 },
  { name: 'passengers', kind: 'subgraph', entry: 'subgraphs/passengers/src/index.ts', port: 4002 },
  { name: 'trips', kind: 'subgraph', entry: 'subgraphs/trips/src/index.ts', port: 4003 },
  { name: 'gateway', kind: 'gateway', entry: 'gateway/src/index.ts', port: 4000 },
  // Workers: the trips service's orchestrator and reporting projection, and the event consumers.
  { name: 'orchestrator', kind: 'worker', entry: 'subgraphs/trips/src/workers/orchestrator.ts', port: 4101 },
  { name: 'simulator', kind: 'worker', entry: 'events/src/workers/simulator.ts', port: 4102 },
  { name: 'archiver', kind: 'worker', entry: 'events/src/workers/archiver.ts', port: 4103 },
  { name: 'reporting', kind: 'worker', entry: 'subgraphs/trips/src/workers/reporting.ts', port: 4104 },
  { name: 'notifier', kind: 'worker', entry: 'events/src/workers/notifier.ts', port: 4105 },
  { name: 'alerter', kind: 'worker', entry: 'events/src/workers/alerter.ts', port: 4106 },
] as const;

/** The database each service owns (workers of the trips service share its database). */
export const serviceDatabase: Record<AppServiceName, string> = {
  drivers: 'drivers',
  passengers: 'passengers',
  trips: 'trips',
  gateway: 'gateway',
  orchestrator: 'trips',
  reporting: 'trips',
  simulator: 'simulator',
  archiver: 'archive',
  notifier: 'notifier',
  alerter: 'alerts',
};

export type AppServiceName = (typeof appServices)[number]['name'];

export interface RunningService {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  /** SIGTERM and wait for a clean exit (SIGKILL after the grace period). */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL: a crash, for crash-safety tests. */
  kill(): Promise<void>;
}

const exitWithParent = path.join(__dirname, 'exit-with-parent.ts');
const tracing = path.join(repoRoot, 'common/src/tracing/register.ts');

/**
 * Starts one service with `node --import tsx` and resolves once it logs `"msg":"listening"`.
 * Output is passed to `onLine` (prefixing, or collecting in tests). The service gets its own
 * credentials (withServiceCredentials): the simulator a token of its own, not the JWT secret.
 */
export async function startService(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  onLine: (line: string) => void = (line) => process.stderr.write(`[${name}] ${line}\n`),
  timeoutMs = 60_000,
): Promise<RunningService> {
  const serviceEnv = await withServiceCredentials(name, env);
  return new Promise((resolve, reject) => {
    // It stops itself when we are gone, however we went (exit-with-parent.ts).
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', exitWithParent, '--import', tracing, path.join(repoRoot, entry)],
      {
        cwd: repoRoot,
        env: { OTEL_SERVICE_NAME: name, ...serviceEnv, RIDESHARE_PARENT_PID: String(process.pid) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    let settled = false;
    const timer = setTimeout(
      () => fail(new Error(`${name} did not start within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    const handle = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        onLine(line);
        if (!settled && line.includes('"msg":"listening"')) {
          const port = Number((JSON.parse(line) as { port: number }).port);
          settled = true;
          clearTimeout(timer);
          resolve({
            name,
            port,
            url: `http://127.0.0.1:${port}/graphql`,
            child,
            async stop(graceMs = 20_000) {
              if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
              child.kill('SIGTERM');
              const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
              const code = await exited;
              clearTimeout(killer);
              return code;
            },
            async kill() {
              if (child.exitCode !== null || child.signalCode !== null) return;
              child.kill('SIGKILL');
              await exited;
            },
          });
        }
      }
    };
    child.stdout.on('data', handle);
    child.stderr.on('data', handle);
    void exited.then((code) => fail(new Error(`${name} exited with code ${code} before it was ready`)));
  });
}
