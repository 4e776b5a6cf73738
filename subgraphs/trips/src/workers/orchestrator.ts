import mongoose from 'mongoose';
import { connectDatabase, envString, envUrl, errorFields, type Logger } from '@rideshare/common';
import { runTripEventConsumer, runWorker, type TripEventEnvelope } from '@rideshare/events';
import { driversClient, type DriversClient } from '../drivers-client';
import { readLifecycleConfig, type LifecycleConfig } from '../lifecycle/config';
import { changeTrip } from '../lifecycle/store';
import type { TripChange } from '../lifecycle/transitions';
import { FINAL_STATUSES, tripModels, type TripModels, type TripRecord } from '../models';
import { decideAcceptTimeout, decideMonitor, decideOffer } from './monitor';

/** The outbox relay runs in the trips subgraph; the orchestrator's commits wait for its next poll. */
const noNudge = () => undefined;

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

/** Timers live in the trip documents (deadlines), so a restarted orchestrator picks up where it was. */
function startScanner(deps: Deps): { stop(): Promise<void> } {
  let stopped = false;
  let current: Promise<void> = Promise.resolve();
  const pass = async () => {
    const now = new Date();
    const [expired, due] = await Promise.all([
      deps.models.Trips.find({ status: 'DRIVERS_NOTIFIED', acceptDeadline: { $lte: now } }, { code: 1 })
        .limit(200)
        .lean<Array<{ code: string }>>()
        .exec(),
      deps.models.Trips.find(
        { status: { $in: ['DRIVER_ASSIGNED', 'STARTED', 'RUNNING'] }, nextMonitorAt: { $lte: now } },
        { code: 1 },
      )
        .limit(200)
        .lean<Array<{ code: string }>>()
        .exec(),
    ]);
    await Promise.all([
      ...expired.map((t) => apply(deps, t.code, (trip, at) => decideAcceptTimeout(trip, at, deps.config))),
      ...due.map((t) =>
        apply(deps, t.code, (trip, at) => decideMonitor(trip, at, deps.config, deps.drivers)),
      ),
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
