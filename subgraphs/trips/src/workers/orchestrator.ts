import mongoose from 'mongoose';
import {
  connectDatabase,
  contextFromCarrier,
  envUrl,
  errorFields,
  inSpan,
  readDatabaseName,
  untraced,
  type Logger,
} from '@rideshare/common';
import { runTripEventConsumer, runWorker, type EventTopics, type TripEventEnvelope } from '@rideshare/events';
import { driversClient, type DriversClient } from '../drivers-client';
import { readLifecycleConfig, type LifecycleConfig } from '../lifecycle/config';
import {
  changeTrip,
  driverAssignment,
  scheduledTrips,
  tripsInTimerSlots,
  type ScheduledTrip,
} from '../lifecycle/store';
import {
  acceptTimeoutChange,
  availabilityDriver,
  deadlineDecision,
  driverAvailable,
  sweepDue,
} from '../lifecycle/decisions';
import { isDue, slotsToScan } from '../lifecycle/timers';
import type { TripChange } from '../lifecycle/transitions';
import { tripModels, type TripModels, type TripRecord } from '../models';
import { decideMonitor, decideOffer } from './monitor';

/** The longest wait before a failed deadline is fired again. */
const MAX_RETRY_DELAY_MS = 10_000;

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
  return result?.ok ?? false;
}

/**
 * A trip whose deadline passed: run the decision that deadline calls for, in the trace of the write
 * that set the deadline, so a trip's checks and its outcome belong to the trip's trace.
 */
function fire(deps: Deps, trip: ScheduledTrip) {
  const decision = deadlineDecision(trip.status);
  const span = {
    parent: contextFromCarrier(trip.trace),
    attributes: { 'trip.code': trip._id, 'trip.status': trip.status },
  };
  return inSpan(`deadline ${decision}`, span, () => {
    if (decision === 'ACCEPT_TIMEOUT')
      return apply(deps, trip._id, (current, at) => acceptTimeoutChange(current, at, deps.config));
    return apply(deps, trip._id, (current, at) => decideMonitor(current, at, deps.config, deps.drivers));
  });
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
  const driverCode = availabilityDriver(event.data.event, trip);
  if (driverCode) {
    const lock = await driverAssignment(deps.models, driverCode);
    await deps.drivers.setAvailability(driverCode, driverAvailable(lock, trip));
  }
}

/**
 * Timers live in the database (each trip's deadlines, filed under a time slot), so a restarted or
 * second orchestrator picks up where it was; two replicas may fire the same deadline, and the
 * versioned claim lets only one change the trip. Each pass reads the slots since the last pass; every
 * `sweepIntervalMs` (and first) it reads every scheduled trip by status, for what a pass missed.
 */
function startScanner(deps: Deps): { stop(): Promise<void> } {
  let stopped = false;
  let current: Promise<void> = Promise.resolve();
  let lastSweep = 0;
  let lastSlot: number | undefined;
  // A deadline whose decision failed (the drivers service or the database away) is fired again on the
  // following passes, backing off, instead of waiting for the next sweep: its slot is behind us.
  const failed = new Map<string, { trip: ScheduledTrip; attempts: number; retryAt: number }>();
  const fireOrCarry = async (trip: ScheduledTrip) => {
    try {
      await fire(deps, trip);
      failed.delete(trip._id);
    } catch (err) {
      const attempts = (failed.get(trip._id)?.attempts ?? 0) + 1;
      const delay = Math.min(deps.config.scanIntervalMs * 2 ** attempts, MAX_RETRY_DELAY_MS);
      failed.set(trip._id, { trip, attempts, retryAt: Date.now() + delay });
      deps.log.warn('deadline failed; trying again', { code: trip._id, attempts, ...errorFields(err) });
    }
  };
  const pass = async () => {
    const now = new Date();
    const sweep = sweepDue(lastSweep, now.getTime(), deps.config.sweepIntervalMs);
    if (sweep) lastSweep = now.getTime();
    const slots = slotsToScan(lastSlot, now);
    const scheduled = await (sweep ? scheduledTrips(deps.models) : tripsInTimerSlots(deps.models, slots));
    lastSlot = slots[slots.length - 1];
    const toFire = new Map(scheduled.filter((t) => isDue(t, now)).map((t) => [t._id, t]));
    for (const retry of failed.values())
      if (retry.retryAt <= now.getTime() && !toFire.has(retry.trip._id))
        toFire.set(retry.trip._id, retry.trip);
    await Promise.all([...toFire.values()].map(fireOrCarry));
  };
  const loop = () => {
    if (stopped) return;
    // Scans are untraced; a deadline that fires continues its trip's trace (fire).
    current = untraced(pass)
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

/** Consumer groups by the topic they read (before KAFKA_NAMESPACE): the KEDA scalers read them too. */
export const consumerGroups = { tripEvents: 'trips-orchestrator' } as const satisfies Partial<EventTopics>;

if (require.main === module)
  void runWorker('orchestrator', 4101, {
    config: (env) => ({
      database: readDatabaseName('rideshare_trips', env),
      // Built now (it connects only when called), so its URL and signing secret are checked first.
      drivers: driversClient(
        envUrl('DRIVERS_URL', 'http://127.0.0.1:4001/graphql', ['http:', 'https:'], env),
      ),
      lifecycle: readLifecycleConfig(env),
    }),
    setup: async ({ kafka, producer, log, infra }, config) => {
      const connection = await connectDatabase(infra.mongoUrl, config.database);
      const deps: Deps = {
        models: tripModels(connection),
        drivers: config.drivers,
        config: config.lifecycle,
        log,
      };
      // Timers first: joining the consumer group can wait out a crashed member's session (15 s).
      const scanner = startScanner(deps);
      const consumer = await runTripEventConsumer({
        kafka,
        producer,
        groupId: consumerGroups.tripEvents,
        log,
        handle: (event) => handleEvent(deps, event),
      });
      return {
        ready: () => consumer.isRunning() && connection.readyState === mongoose.ConnectionStates.connected,
        closers: [() => connection.close(), () => scanner.stop(), () => consumer.stop()],
      };
    },
  });
