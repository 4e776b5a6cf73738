import {
  createFleet,
  envForFaults,
  fleetGroups,
  openSystemDatabases,
  seedIfEmpty,
  startTestSystem,
  superviseSystem,
  waitForWorkersReady,
  type FleetGroup,
  type SystemDatabases,
  type SystemSupervisor,
  type TestSystem,
  type WatchTrip,
} from '@rideshare/testing';
import { passengerAuthorization, watchTrip } from './trip-watcher';

/** Trips of a group race for the group's drivers; one driver per trip, so each can finish. */
const GROUP_SIZE = 4;
/** The passengers who request the waves' trips. */
export const FAULT_PASSENGERS = ['PX1001', 'PX1002', 'PX1003'];
/** From a fault to the end of its wave's last trip, at most. */
export const SETTLE_MS = 300_000;

/** A positive trip count from the environment variable `name`, or `fallback`. */
export function tripCount(name: string, fallback: number): number {
  const raw = process.env[name];
  const trips = Number(raw ?? fallback);
  if (!Number.isInteger(trips) || trips < 1)
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return Math.ceil(trips / GROUP_SIZE) * GROUP_SIZE;
}

export interface FaultSystem {
  system: TestSystem;
  supervisor: SystemSupervisor;
  dbs: SystemDatabases;
  groups: FleetGroup[];
  /** A passenger's subscription to one trip, resuming on `gatewayUrl()` whenever it loses its connection. */
  watchOn(gatewayUrl: () => string): WatchTrip;
  close(): Promise<void>;
}

/**
 * The system a fault wave runs on: the test system under a supervisor that restarts what exits, its
 * databases open for the checks, the seed, and a fleet of drivers for `trips` trips, every worker
 * ready. `beforeSeed` runs right after the system starts (e.g. to start replicas beside it).
 */
export async function startFaultSystem(
  trips: number,
  beforeSeed: (system: TestSystem) => Promise<void> = async () => undefined,
): Promise<FaultSystem> {
  const system = await startTestSystem(envForFaults);
  const supervisor = superviseSystem(system);
  const dbs = await openSystemDatabases(system.prefix);
  await beforeSeed(system);
  await seedIfEmpty(system.gatewayUrl);
  const groups = fleetGroups(trips / GROUP_SIZE, GROUP_SIZE);
  await createFleet(system, groups);
  await waitForWorkersReady(system);
  const authorization = passengerAuthorization(system);
  return {
    system,
    supervisor,
    dbs,
    groups,
    watchOn: (gatewayUrl) => (code, passenger) => watchTrip(gatewayUrl, authorization(passenger), code),
    close: async () => {
      supervisor.halt();
      await dbs.close();
      await system.stop();
    },
  };
}
