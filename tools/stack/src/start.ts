import { createLogger } from '@rideshare/common';
import { adminAuthorization, seedIfEmpty } from './seed';
import { appServices, startService, type RunningService } from './services';
import { down, stackEnv, up } from './stack';
import { sleep } from './proc';

const log = createLogger('start');

/**
 * Keeps one service running: restarts it after a crash with a growing back-off, so a trip in flight
 * survives a process dying (its state lives in MongoDB and Kafka).
 */
function supervise(
  name: string,
  kind: 'subgraph' | 'gateway' | 'worker',
  entry: string,
  env: NodeJS.ProcessEnv,
) {
  let current: RunningService | undefined;
  let stopping = false;
  let backoffMs = 500;
  const run = async (): Promise<RunningService> => {
    const service = await startService(name, entry, env);
    current = service;
    service.child.once('exit', (code, signal) => {
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
    return service;
  };
  return {
    kind,
    start: run,
    /** From now on an exit is expected (a Ctrl-C reaches every service at once): no restart. */
    halt() {
      stopping = true;
    },
    async stop() {
      stopping = true;
      await current?.stop();
    },
  };
}

/** `npm start`: the stack, every service of the system, seed data when empty, until Ctrl-C. */
export async function startSystem(): Promise<number> {
  const startedInfra = await up();
  const infra = stackEnv();
  const supervisors: Array<ReturnType<typeof supervise>> = [];
  let stopRequested = false;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = () => {
      stopRequested = true;
      resolve();
    };
    // `on`, not `once`: a terminal's Ctrl-C reaches us twice (directly and forwarded by tools/run.mjs),
    // and a second signal must not kill us half-way through stopping.
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  try {
    for (const service of appServices) {
      if (stopRequested) break;
      const supervisor = supervise(service.name, service.kind, service.entry, {
        ...process.env,
        ...infra,
        PORT: String(service.port),
      });
      supervisors.push(supervisor);
      await supervisor.start();
    }
    const gatewayUrl = 'http://127.0.0.1:4000/graphql';
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
        row(`${s.name} subgraph`, `http://127.0.0.1:${s.port}/graphql`);
      for (const s of appServices.filter((s) => s.kind === 'worker'))
        row(`${s.name} worker`, `http://127.0.0.1:${s.port}/health/ready`);
      for (const [k, v] of Object.entries(infra)) row(k, v);
      console.log('\nPress Ctrl-C to stop.');
    }
    await stopped;
  } finally {
    console.log('\n[start] stopping services');
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
