import { createLogger, envInt } from '@rideshare/common';
import { adminAuthorization, seedIfEmpty } from './seed';
import { appServices, startService, type RunningService } from './services';
import { down, runningPid, services as infraServices, stackEnv, up } from './stack';
import { sleep } from './proc';
import { onStopSignals } from './stop-signals';

const log = createLogger('start');

type AppService = (typeof appServices)[number];

/**
 * Keeps one service running: restarts it after a crash with a growing back-off, so a trip in flight
 * survives a process dying (its state lives in MongoDB and Kafka).
 */
function supervise(service: AppService, env: NodeJS.ProcessEnv) {
  let current: RunningService | undefined;
  let stopping = false;
  let backoffMs = 500;
  const run = async (): Promise<RunningService> => {
    const running = await startService(service.name, service.entry, env);
    current = running;
    running.child.once('exit', (code, signal) => {
      if (stopping) return;
      log.error('service exited, restarting', { service: service.name, code, signal, inMs: backoffMs });
      void sleep(backoffMs).then(async () => {
        backoffMs = Math.min(backoffMs * 2, 10_000);
        if (!stopping)
          await run().catch((err: unknown) =>
            log.error('restart failed', { service: service.name, error: String(err) }),
          );
      });
    });
    return running;
  };
  return {
    kind: service.kind,
    start: run,
    /** From now on an exit is expected (a Ctrl-C reaches every service at once): no restart. */
    halt() {
      stopping = true;
    },
    async stop() {
      stopping = true;
      await current?.stop();
    },
    /** The second Ctrl-C: no waiting. */
    kill() {
      stopping = true;
      current?.child.kill('SIGKILL');
    },
  };
}

/**
 * STACK_APP_PORT moves every service's port by the same amount: it is the gateway's (default 4000;
 * the subgraphs follow it, the workers are 101-105 above it), e.g. for a second system on one machine.
 */
function appPorts(): (s: AppService) => number {
  const highest = Math.max(...appServices.map((s) => s.port)) - 4000;
  const gateway = envInt('STACK_APP_PORT', 4000, { min: 1024, max: 65_535 - highest });
  return (s) => s.port - 4000 + gateway;
}

/** Kills, without waiting, the infrastructure that was not running before this run. */
function killStartedInfra(runningBefore: ReadonlySet<string>): void {
  for (const s of infraServices) {
    const pid = runningPid(s);
    if (pid === undefined || runningBefore.has(s.name)) continue;
    try {
      process.kill(-pid, 'SIGKILL'); // its process group: PostgreSQL and Kafka have children
    } catch {
      process.kill(pid, 'SIGKILL');
    }
  }
}

/**
 * `npm start`: the stack, every service of the system, seed data when empty, until Ctrl-C (or
 * SIGTERM): then every service and the infrastructure this run started stop, and it returns. A second
 * Ctrl-C kills them all at once.
 */
export async function startSystem(): Promise<number> {
  const port = appPorts(); // a bad value stops here, before anything starts
  const runningBefore = new Set(infraServices.filter((s) => runningPid(s) !== undefined).map((s) => s.name));
  const supervisors: Array<ReturnType<typeof supervise>> = [];
  let stopRequested = false;
  // After SIGHUP the terminal is gone: a failed write must not end us before we have stopped.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  const stopped = new Promise<void>((resolve) =>
    onStopSignals(
      () => {
        stopRequested = true;
        for (const s of supervisors) s.halt();
        console.log('\n[start] stopping (press Ctrl-C again to force)');
        resolve();
      },
      () => {
        console.log('\n[start] forced: killing every process this run started');
        for (const s of supervisors) s.kill();
        killStartedInfra(runningBefore);
        process.exit(130);
      },
    ),
  );
  let startedInfra: string[] = [];
  try {
    startedInfra = await up();
    const infra = stackEnv();
    // Each service finds the others at their ports (a URL set in the environment wins).
    const peers = Object.fromEntries(
      appServices
        .filter((s) => s.kind !== 'worker')
        .map((s) => [`${s.name.toUpperCase()}_URL`, `http://127.0.0.1:${port(s)}/graphql`]),
    );
    for (const service of appServices) {
      if (stopRequested) break;
      const supervisor = supervise(service, {
        ...peers,
        ...process.env,
        ...infra,
        PORT: String(port(service)),
      });
      supervisors.push(supervisor);
      await supervisor.start();
    }
    const gateway = appServices.find((s) => s.kind === 'gateway');
    const gatewayUrl = `http://127.0.0.1:${gateway ? port(gateway) : 4000}/graphql`;
    if (!stopRequested) {
      const admin = await adminAuthorization({ ...process.env, ...infra });
      const seeded = await seedIfEmpty(gatewayUrl, admin);
      if (seeded.drivers + seeded.passengers > 0)
        console.log(`[start] seeded ${seeded.drivers} drivers and ${seeded.passengers} passengers`);
      console.log('\nRideshare Federation is up:');
      const row = (label: string, value: string) => console.log(`  ${label.padEnd(21)} ${value}`);
      row('GraphQL endpoint', gatewayUrl);
      row('Apollo Sandbox', `${gatewayUrl} (open in a browser; an admin token is preset)`);
      row('Admin token', admin.authorization);
      for (const s of appServices.filter((s) => s.kind === 'subgraph'))
        row(`${s.name} subgraph`, `http://127.0.0.1:${port(s)}/graphql`);
      for (const s of appServices.filter((s) => s.kind === 'worker'))
        row(`${s.name} worker`, `http://127.0.0.1:${port(s)}/health/ready`);
      for (const [k, v] of Object.entries(infra)) row(k, v);
      console.log('\nPress Ctrl-C to stop.');
    }
    await stopped;
  } catch (err) {
    // A start cut short by Ctrl-C (a service or the seeding saw the others stop) is no failure.
    if (!stopRequested) throw err;
  } finally {
    console.log('[start] stopping services');
    for (const s of supervisors) s.halt();
    // Workers first (they call the gateway and subgraphs), then the gateway, then the subgraphs;
    // the services of one kind stop in parallel.
    for (const kind of ['worker', 'gateway', 'subgraph'] as const) {
      await Promise.all(supervisors.filter((s) => s.kind === kind).map((s) => s.stop()));
    }
    await down(startedInfra);
  }
  return 0;
}
