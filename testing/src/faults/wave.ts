import { waitFor, type TestSystem } from '../testing';
import type { SystemDatabases } from '../trip-testing';
import { topicEnds } from './consumer-progress';
import { statsAgainstTrips } from './evidence';
import type { Fault } from './fault-list';
import { returnFleet, type FleetGroup } from './fleet';
import { probeRecovery, snapshotAtFault } from './recovery';
import type { SystemSupervisor } from './supervisor';
import { checkWave, type LedgerTrip, type WaveOutcome } from './wave-checks';
import {
  readStoredWhenCaughtUp,
  requestWatchedTrips,
  waitForQuietSystem,
  waitForTripsOnTheRoad,
  waitForWaveEnd,
} from './wave-phases';

/** A live subscriber of one trip (gateway/tests/faults/trip-watcher.ts implements it over graphql-ws). */
export interface TripWatcher {
  readonly code: string;
  /** Versions in arrival order, over every connection. */
  readonly versions: number[];
  /** The event type of the last update received. */
  readonly lastEvent: string | undefined;
  readonly completed: boolean;
  /** How many times it (re)subscribed. */
  readonly subscriptions: number;
  /** Distinct troubles on the way: update errors, lost connections. */
  readonly troubles: string[];
  stop(): void;
}
export type WatchTrip = (code: string, passengerCode: string) => TripWatcher;

export interface WaveContext {
  system: TestSystem;
  supervisor: SystemSupervisor;
  dbs: SystemDatabases;
  groups: FleetGroup[];
  passengerCodes: readonly string[];
  watch: WatchTrip;
  /** From the fault to every trip's end, at most. */
  settleTimeoutMs: number;
  /** Where the i-th trip is requested (several gateways); the system's gateway by default. */
  requestThrough?: (i: number) => Pick<TestSystem, 'query'>;
}

export interface WaveResult {
  fault: string;
  outcome: WaveOutcome;
  trips: LedgerTrip[];
  /** From the fault until recovered (see recovery.ts); null if it never was. */
  recoveryMs: number | null;
  /** What was still recovering, every few seconds after the fault. */
  recoveryTrace: string[];
  /** Resubscriptions of the wave's subscribers (a gateway kill makes every one of them resume). */
  resubscribed: number;
  /** Services that exited on their own during the wave and were restarted by the supervisor. */
  exits: string[];
  /** The services' warnings and errors during the wave, for a failure's report. */
  warnings: string[];
  waveMs: number;
  /** Where the wave's time went, e.g. "requests 9 s, until the fault 4 s, …". */
  phases: string;
}

/** The fault lands once this share of the wave's trips is on the road. */
const ON_THE_ROAD_SHARE = 0.3;
/** How long recovery is still watched for after the wave's trips have ended. */
const RECOVERY_GRACE_MS = 30_000;

/**
 * One wave: a demo trip per fleet driver, each with a live subscriber; the fault lands while they run;
 * then every trip, its archive, facts and subscriber are checked.
 */
export async function runWave(ctx: WaveContext, fault: Fault): Promise<WaveResult> {
  await waitForQuietSystem(ctx);
  await returnFleet(ctx.system, ctx.groups);
  const watchers: TripWatcher[] = [];
  try {
    return await wave(ctx, fault, watchers);
  } finally {
    for (const w of watchers) w.stop();
  }
}

async function wave(ctx: WaveContext, fault: Fault, watchers: TripWatcher[]): Promise<WaveResult> {
  const began = Date.now();
  const logsBefore = ctx.system.logs.length;
  const exitsBefore = new Map(ctx.supervisor.exits);
  const codes = await requestWatchedTrips(ctx, watchers);
  const requestedAt = Date.now();
  await waitForTripsOnTheRoad(watchers, ON_THE_ROAD_SHARE);

  const faultAt = Date.now();
  const atFault = snapshotAtFault(watchers);
  await fault.inject(ctx.supervisor);
  const backAt = Date.now();
  // What was produced until the faulty part was back (the broker itself may just be coming back).
  const ends = await waitFor(() => topicEnds(ctx.system.prefix), { timeoutMs: 60_000, intervalMs: 500 });
  const recovery = probeRecovery(ctx.system.prefix, watchers, atFault, faultAt, ends);

  const ledger = await waitForWaveEnd(ctx, codes, watchers, faultAt + ctx.settleTimeoutMs);
  const endedAt = Date.now();
  // The consumers may still be catching up after the last trip ended: give the probe a while.
  const stopLater = setTimeout(() => recovery.stop(), RECOVERY_GRACE_MS);
  const recoveryMs = await recovery.result;
  clearTimeout(stopLater);
  const stored = await readStoredWhenCaughtUp(ctx, codes);
  const outcome = checkWave(ledger, (code) => {
    const watcher = watchers[codes.indexOf(code)]!;
    return {
      archived: stored.archived.get(code)!,
      fact: stored.facts.get(code) ?? null,
      watch: { versions: [...watcher.versions], completed: watcher.completed, troubles: watcher.troubles },
    };
  });
  outcome.problems.push(...(await statsAgainstTrips(ctx.system)));
  const exits = [...ctx.supervisor.exits]
    .filter(([name, n]) => n > (exitsBefore.get(name) ?? 0))
    .map(([name, n]) => `${name}×${n - (exitsBefore.get(name) ?? 0)}`);
  return {
    fault: fault.name,
    outcome,
    trips: ledger,
    recoveryMs,
    recoveryTrace: recovery.trace,
    resubscribed: watchers.reduce((sum, w) => sum + w.subscriptions - 1, 0),
    exits,
    warnings: ctx.system.logs.slice(logsBefore).filter((l) => /"level":"(warn|error)"/.test(l)),
    waveMs: Date.now() - began,
    phases: [
      ['requests', requestedAt - began],
      ['until the fault', faultAt - requestedAt],
      ['fault', backAt - faultAt],
      ['until every trip ended', endedAt - backAt],
      ['checks', Date.now() - endedAt],
    ]
      .map(([what, ms]) => `${what} ${(Number(ms) / 1000).toFixed(1)} s`)
      .join(', '),
  };
}
