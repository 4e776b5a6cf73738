import mongoose from 'mongoose';
import { connectDatabase, envString, envUrl, errorFields, type Logger } from '@rideshare/common';
import { runTripEventConsumer, runWorker, type TripEventEnvelope } from '@rideshare/events';
import type { TripStatus } from '../generated/resolvers-types';
import { driversClient, type DriversClient } from '../drivers-client';
import { readLifecycleConfig, type LifecycleConfig } from '../lifecycle/config';
import { changeTrip, findTrip, syncTimer } from '../lifecycle/store';
import type { TripChange } from '../lifecycle/transitions';
import {
  FINAL_STATUSES,
  tripModels,
  type TripModels,
  type TripRecord,
  type TripTimerRecord,
} from '../models';
import { decideAcceptTimeout, decideMonitor, decideOffer } from './monitor';

/** The outbox relay runs in the trips subgraph; the orchestrator's commits wait for its next poll. */
const noNudge = () => undefined;

const MONITORED: TripStatus[] = ['DRIVER_ASSIGNED', 'STARTED', 'RUNNING'];

interface Deps {
  models: TripModels;
  drivers: DriversClient;
  config: LifecycleConfig;
  log: Logger;
}

async function apply(
  deps: Deps,
  code: string,
  decide: (trip: TripRecord, now: Date) => Promise<TripChange | null> | TripChange | null,
) {
  const result = await changeTrip(deps.models, code, (trip) => decide(trip, new Date()), noNudge);
  if (result?.ok)
    deps.log.info('trip changed', { code, status: result.trip.status, version: result.trip.version });
  return result?.ok ?? false;
}

/** A timer fired and nothing was due: bring it in line with its trip (a racing writer left it older). */
async function fire(deps: Deps, code: string, decide: Parameters<typeof apply>[2]) {
  if (await apply(deps, code, decide)) return;
  const trip = await findTrip(deps.models, code);
  if (trip) await syncTimer(deps.models, trip);
}

/**
 * Reacts to trip events: offers requested trips to nearby drivers, and keeps each driver's
 * availability in line with whether they hold an active trip (order-independent, so replays and
 * events of different trips arriving in any order agree).
 */
async function handleEvent(deps: Deps, event: TripEventEnvelope): Promise<void> {
  const { trip } = event.data;
  if (event.data.event === 'TRIP_REQUESTED') {
    await apply(deps, trip.code, (current, now) => decideOffer(current, now, deps.config, deps.drivers));
    return;
  }
  if (trip.driverCode && ['DRIVER_ASSIGNED', 'TRIP_COMPLETED', 'TRIP_ABORTED'].includes(event.data.event)) {
    const lock = await deps.models.DriverAssignments.findById(trip.driverCode).lean().exec();
    // A finished trip's own lock is released only after its final event is logged: it no longer counts.
    const busy = lock !== null && !(FINAL_STATUSES.includes(trip.status) && lock.tripCode === trip.code);
    await deps.drivers.setAvailability(trip.driverCode, !busy);
  }
}

const TOMBSTONE_MS = 60_000;

/** Codes of trips whose accept window has expired and trips due a monitor check, read from the timers. */
async function dueFromTimers(models: TripModels, now: Date) {
  const timers = await models.TripTimers.find().lean<TripTimerRecord[]>().exec();
  const finished = timers.filter(
    (t) => FINAL_STATUSES.includes(t.status) && now.getTime() - t.updatedAt.getTime() > TOMBSTONE_MS,
  );
  await Promise.all(finished.map((t) => models.TripTimers.deleteOne({ _id: t._id }).exec()));
  return {
    expired: timers.filter(
      (t) => t.status === 'DRIVERS_NOTIFIED' && t.acceptDeadline && t.acceptDeadline <= now,
    ),
    due: timers.filter((t) => MONITORED.includes(t.status) && t.nextMonitorAt && t.nextMonitorAt <= now),
  };
}

/** The same, read from the trip documents: the sweep that finds a trip whose timer a crash lost. */
async function dueFromTrips(models: TripModels, now: Date) {
  const [expired, due] = await Promise.all([
    models.Trips.find({ status: 'DRIVERS_NOTIFIED', acceptDeadline: { $lte: now } }, { _id: 1 })
      .lean<Array<{ _id: string }>>()
      .exec(),
    models.Trips.find({ status: { $in: MONITORED }, nextMonitorAt: { $lte: now } }, { _id: 1 })
      .lean<Array<{ _id: string }>>()
      .exec(),
  ]);
  return { expired, due };
}

/**
 * Timers live in the database (deadlines), so a restarted orchestrator picks up where it was. Each
 * pass reads the small timers collection; every `sweepIntervalMs` (and first) it reads the trips.
 */
function startScanner(deps: Deps): { stop(): Promise<void> } {
  let stopped = false;
  let current: Promise<void> = Promise.resolve();
  let lastSweep = 0;
  const pass = async () => {
    const now = new Date();
    const sweep = Date.now() - lastSweep >= deps.config.sweepIntervalMs;
    if (sweep) lastSweep = Date.now();
    const { expired, due } = await (sweep ? dueFromTrips : dueFromTimers)(deps.models, now);
    await Promise.all([
      ...expired.map((t) => fire(deps, t._id, (trip, at) => decideAcceptTimeout(trip, at, deps.config))),
      ...due.map((t) => fire(deps, t._id, (trip, at) => decideMonitor(trip, at, deps.config, deps.drivers))),
    ]);
  };
  const loop = () => {
    if (stopped) return;
    current = pass()
      .catch((err: unknown) => deps.log.warn('scan failed; retrying next tick', errorFields(err)))
      .finally(() => {
        if (!stopped) setTimeout(loop, deps.config.scanIntervalMs);
      });
  };
  loop();
  return {
    async stop() {
      stopped = true;
      await current;
    },
  };
}

if (require.main === module)
  void runWorker('orchestrator', 4101, async ({ kafka, producer, log, infra }) => {
    const connection = await connectDatabase(infra.mongoUrl, envString('MONGO_DB', 'rideshare_trips'));
    const deps: Deps = {
      models: tripModels(connection),
      drivers: driversClient(envUrl('DRIVERS_URL', 'http://127.0.0.1:4001/graphql', ['http:', 'https:'])),
      config: readLifecycleConfig(),
      log,
    };
    // Timers first: joining the consumer group can wait out a crashed member's session (15 s).
    const scanner = startScanner(deps);
    const consumer = await runTripEventConsumer({
      kafka,
      producer,
      groupId: 'trips-orchestrator',
      log,
      handle: (event) => handleEvent(deps, event),
    });
    return {
      ready: () => consumer.isRunning() && connection.readyState === mongoose.ConnectionStates.connected,
      closers: [() => connection.close(), () => scanner.stop(), () => consumer.stop()],
    };
  });
