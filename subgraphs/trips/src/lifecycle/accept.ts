import { GraphQLError } from 'graphql';
import { conflict, ErrorCode, isDuplicateKeyError, notFound } from '@rideshare/common';
import { isActiveTripStatus } from '@rideshare/events';
import type { TripModels, TripRecord } from '../models';
import { catchUp, changeTrip, driverAssignment, findTrip, type OutboxNudge } from './store';

const ABANDONED_LOCK_MS = 30_000;

/**
 * Takes the driver's lock: one document per busy driver, unique by driver code, so two accepts by
 * one driver can never both succeed. A lock left by a crash (its trip is over or never became the
 * driver's) is removed and the unique insert decides again, so two takers cannot both win.
 */
async function lockDriver(models: TripModels, driverCode: string, tripCode: string): Promise<void> {
  try {
    await models.DriverAssignments.create({ _id: driverCode, tripCode, assignedAt: new Date() });
    return;
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  const lock = await driverAssignment(models, driverCode);
  if (!lock) return lockDriver(models, driverCode, tripCode);
  if (lock.tripCode === tripCode) return;
  const held = await findTrip(models, lock.tripCode);
  // An unassigned trip's lock is an accept in progress, unless it is old enough to be a crash's leftover.
  const abandoned =
    held?.driverCode === null && Date.now() - new Date(lock.assignedAt).getTime() > ABANDONED_LOCK_MS;
  const stale =
    !held ||
    !isActiveTripStatus(held.status) ||
    (held.driverCode !== null && held.driverCode !== driverCode) ||
    abandoned;
  if (!stale) throw conflict(`Driver "${driverCode}" is already on trip "${lock.tripCode}"`);
  // Remove exactly that stale lock and race for a new one through the unique insert again.
  await models.DriverAssignments.deleteOne({ _id: driverCode, tripCode: lock.tripCode }).exec();
  return lockDriver(models, driverCode, tripCode);
}

/**
 * First accept wins; only drivers the trip was offered to; a driver is never on two active trips.
 * `mayAccept` is the caller's right on this very trip (e.g. DEMO only), checked before anything changes.
 */
export async function acceptTrip(
  models: TripModels,
  code: string,
  driverCode: string,
  monitorIntervalMs: number,
  nudge: OutboxNudge,
  mayAccept?: (trip: TripRecord) => void,
): Promise<TripRecord> {
  // The offer's event may be published before its writer has projected it onto the trip document.
  const trip = await catchUp(models, code);
  if (!trip) throw notFound('Trip', code);
  mayAccept?.(trip);
  if (!trip.availableDriverCodes.includes(driverCode)) {
    throw new GraphQLError(`Driver "${driverCode}" was not offered trip "${code}"`, {
      extensions: { code: ErrorCode.FORBIDDEN },
    });
  }
  if (trip.status !== 'DRIVERS_NOTIFIED')
    throw conflict(`Trip "${code}" can no longer be accepted: it is ${trip.status}`);
  await lockDriver(models, driverCode, code);
  const result = await changeTrip(
    models,
    code,
    (current) =>
      current.status === 'DRIVERS_NOTIFIED'
        ? { event: 'DRIVER_ASSIGNED', driverCode, nextMonitorAt: new Date(Date.now() + monitorIntervalMs) }
        : null,
    nudge,
  );
  if (result?.ok) return result.trip;
  // Someone else won (or the trip ended): hand the lock back.
  await models.DriverAssignments.deleteOne({ _id: driverCode, tripCode: code }).exec();
  const latest = await findTrip(models, code);
  throw conflict(`Trip "${code}" can no longer be accepted: it is ${latest?.status ?? 'gone'}`);
}

/** Aborts a trip that has not completed; the driver is freed by the abort. */
export async function cancelTrip(
  models: TripModels,
  code: string,
  reason: string,
  nudge: OutboxNudge,
): Promise<TripRecord> {
  const result = await changeTrip(
    models,
    code,
    (t) => (isActiveTripStatus(t.status) ? { event: 'TRIP_ABORTED', reason } : null),
    nudge,
  );
  if (result?.ok) return result.trip;
  const trip = await findTrip(models, code);
  if (!trip) throw notFound('Trip', code);
  throw conflict(`Trip "${code}" cannot be cancelled: it is ${trip.status}`);
}
