import { restartStackService, type AppServiceName, type StackServiceName } from '@rideshare/stack';
import type { SystemSupervisor } from './supervisor';

export interface Fault {
  /** As the fault table shows it. */
  name: string;
  /** Breaks something and brings it back; resolves once it answers its health check again. */
  inject(supervisor: SystemSupervisor): Promise<void>;
}

/** How long a killed process stays down before it is started again, as after a real crash. */
const DOWN_MS = 1_000;

const killService = (service: AppServiceName): Fault => ({
  name: `kill -9 ${service}`,
  inject: (supervisor) => supervisor.crash(service, DOWN_MS),
});

const crashInfrastructure = (label: string, service: StackServiceName): Fault => ({
  name: `kill -9 ${label}, restart`,
  inject: async () => {
    await restartStackService(service, { signal: 'SIGKILL', downMs: DOWN_MS });
  },
});

/** Every service in turn (the gateway first: its subscribers resume with afterVersion), then the infrastructure. */
export const FAULTS: Fault[] = [
  killService('gateway'),
  killService('notifier'),
  killService('reporting'),
  killService('simulator'),
  killService('drivers'),
  killService('passengers'),
  killService('orchestrator'),
  killService('archiver'),
  killService('trips'),
  crashInfrastructure('Kafka broker', 'kafka'),
  crashInfrastructure('Redis', 'redis'),
  crashInfrastructure('FerretDB', 'mongo'),
  crashInfrastructure('PostgreSQL', 'postgres'),
];
