import { createLogger, envInt } from '@rideshare/common';
import { adminAuthorization, seedIfEmpty } from './seed';
import { appServices, startService, type RunningService } from './services';
import { maildevService, maildevWebUrl } from './maildev';
import { down, runningPid, services as infraServices, stackEnv, up } from './stack';
import { sleep } from './proc';
import { onStopSignals } from './stop-signals';
import { serviceLineWriter } from './log-lines';
import { ensureWebBuild } from './web-build';

const log = createLogger('start');
const writeLine = serviceLineWriter();

type AppService = (typeof appServices)[number];

/**
 * Keeps one service running: restarts it after a crash with a growing back-off, so a trip in flight
 * survives a process dying (its state lives in MongoDB and Kafka).
 */
function supervise(service: AppService, name: string, env: NodeJS.ProcessEnv) {
  let current: RunningService | undefined;
  let stopping = false;
  let backoffMs = 500;
  const run = async (): Promise<RunningService> => {
    const running = await startService(service.name, service.entry, env, (line) => writeLine(name, line));
    current = running;
    running.child.once('exit', (code, signal) => {
      if (stopping) return;
      log.error('service exited, restarting', { service: name, code, signal, inMs: backoffMs });
      void sleep(backoffMs).then(async () => {
        backoffMs = Math.min(backoffMs * 2, 10_000);
        if (!stopping)
          await run().catch((err: unknown) =>
            log.error('restart failed', { service: name, error: String(err) }),
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

/** Replica r of a service listens this much above the first one's port. */
const REPLICA_PORT_STEP = 200;
const MAX_REPLICAS = 8;

/**
 * `--replicas N` (or STACK_REPLICAS): how many of every service to run, 1 by default. Each replica
 * has its own port; consumer groups share the partitions, the outbox lease lets one relay publish.
 */
export function readReplicas(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const at = args.indexOf('--replicas');
  const given = at >= 0 ? args[at + 1] : args.find((a) => a.startsWith('--replicas='))?.slice(11);
  const value = given ?? env.STACK_REPLICAS ?? '1';
  const replicas = Number(value);
  if (!/^\d+$/.test(value) || replicas < 1 || replicas > MAX_REPLICAS)
    throw new Error(
      `--replicas (or STACK_REPLICAS) must be a whole number from 1 to ${MAX_REPLICAS}, got "${value}"`,
    );
  return replicas;
}

/**
 * STACK_APP_PORT moves every service's port by the same amount: it is the gateway's (default 4000;
 * the subgraphs follow it, the workers are 101-105 above it), e.g. for a second system on one machine.
 * Replica r (from 0) is REPLICA_PORT_STEP × r above that.
 */
function appPorts(replicas: number): (s: AppService, replica: number) => number {
  const highest = Math.max(...appServices.map((s) => s.port)) - 4000 + REPLICA_PORT_STEP * (replicas - 1);
  const gateway = envInt('STACK_APP_PORT', 4000, { min: 1024, max: 65_535 - highest });
  // Every replica's gateway serves the web app.
  const blocked = Array.from({ length: replicas }, (_, r) => gateway + REPLICA_PORT_STEP * r).find((p) =>
    BROWSER_BLOCKED_PORTS.has(p),
  );
  if (blocked !== undefined)
    throw new Error(
      `STACK_APP_PORT=${gateway} puts a gateway on ${blocked}, a port browsers refuse to open (the Fetch standard's "bad ports"), and the web app is served there: pick another`,
    );
  return (s, replica) => s.port - 4000 + gateway + REPLICA_PORT_STEP * replica;
}

/** Ports above 1023 that browsers block (https://fetch.spec.whatwg.org/#bad-port). */
const BROWSER_BLOCKED_PORTS = new Set([
  1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697,
  10080,
]);

/** How a replica is called in the logs: `trips`, then `trips-2`, `trips-3`... */
const label = (s: AppService, replica: number) => (replica === 0 ? s.name : `${s.name}-${replica + 1}`);

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
export async function startSystem(args: string[] = []): Promise<number> {
  // Bad values stop here, before anything starts.
  const replicas = readReplicas(args);
  const port = appPorts(replicas);
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
    // The app builds while the infrastructure starts; the gateway serves it under /app/.
    const webBuild = ensureWebBuild();
    webBuild.catch(() => undefined); // awaited below, after the infrastructure; not unhandled meanwhile
    startedInfra = await up();
    const infra: Record<string, string> = { GATEWAY_WEB_DIR: await webBuild, ...stackEnv() };
    // Each replica finds the others' replica of the same number at their ports (a URL set in the
    // environment wins), so the load spreads over every replica.
    const peers = (replica: number) =>
      Object.fromEntries(
        appServices
          .filter((s) => s.kind !== 'worker')
          .map((s) => [`${s.name.toUpperCase()}_URL`, `http://127.0.0.1:${port(s, replica)}/graphql`]),
      );
    for (const service of appServices) {
      for (let replica = 0; replica < replicas && !stopRequested; replica++) {
        const supervisor = supervise(service, label(service, replica), {
          ...peers(replica),
          ...process.env,
          ...infra,
          PORT: String(port(service, replica)),
        });
        supervisors.push(supervisor);
        await supervisor.start();
      }
    }
    const gateway = appServices.find((s) => s.kind === 'gateway');
    const gatewayUrls = Array.from(
      { length: replicas },
      (_, r) => `http://127.0.0.1:${gateway ? port(gateway, r) : 4000 + REPLICA_PORT_STEP * r}/graphql`,
    );
    const gatewayUrl = gatewayUrls[0] ?? '';
    if (!stopRequested) {
      const admin = await adminAuthorization({ ...process.env, ...infra });
      const seeded = await seedIfEmpty(gatewayUrl, admin);
      if (seeded.drivers + seeded.passengers > 0)
        console.log(`[start] seeded ${seeded.drivers} drivers and ${seeded.passengers} passengers`);
      console.log('\nRideshare Federation is up:');
      const row = (label: string, value: string) => console.log(`  ${label.padEnd(21)} ${value}`);
      row('Web app', gatewayUrls.map((u) => u.replace(/\/graphql$/, '/app/')).join(' '));
      row(replicas > 1 ? 'GraphQL endpoints' : 'GraphQL endpoint', gatewayUrls.join(' '));
      row('Apollo Sandbox', `${gatewayUrl} (open in a browser; an admin token is preset)`);
      row('Admin token', admin.authorization);
      const urls = (s: AppService, path: string) =>
        Array.from({ length: replicas }, (_, r) => `http://127.0.0.1:${port(s, r)}${path}`).join(' ');
      for (const s of appServices.filter((s) => s.kind === 'subgraph'))
        row(`${s.name} subgraph`, urls(s, '/graphql'));
      for (const s of appServices.filter((s) => s.kind === 'worker'))
        row(`${s.name} worker`, urls(s, '/health/ready'));
      if (infra.TRACE_UI_URL)
        row('Traces (Zipkin)', `${infra.TRACE_UI_URL}/ (a response's traceresponse header names its trace)`);
      for (const [k, v] of Object.entries(infra)) row(k, v);
      if (runningPid(maildevService) !== undefined) row('MailDev (alert emails)', maildevWebUrl());
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
