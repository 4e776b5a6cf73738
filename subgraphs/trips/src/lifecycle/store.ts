import { createTripEvent } from '@rideshare/events';
import type { TripModels, TripRecord } from '../models';
import { FINAL_STATUSES } from '../models';
import { applyChange, toSnapshot, type TripChange } from './transitions';

export const EVENT_SOURCE = 'urn:rideshare:trips';

export type CommitResult = { ok: true; trip: TripRecord } | { ok: false; reason: string; stale: boolean };

/** Called after every committed change so the outbox relay publishes without waiting for its next poll. */
export type OutboxNudge = () => void;

/**
 * Commits one change and its event in a single-document update (no multi-document transaction):
 * the new state, the history entry and the outbox entry land together or not at all. Optimistic
 * concurrency on `version`: a concurrent change makes this one fail as stale, never overwrite.
 */
export async function commitChange(
  models: TripModels,
  trip: TripRecord,
  change: TripChange,
  nudge: OutboxNudge,
  now = new Date(),
): Promise<CommitResult> {
  const transition = applyChange(trip, change, now);
  if (!transition.ok) return { ok: false, reason: transition.reason, stale: false };
  const { set, next } = transition;
  const envelope = createTripEvent(change.event, toSnapshot(next), EVENT_SOURCE, now);
  const updated = await models.Trips.findOneAndUpdate(
    { code: trip.code, version: trip.version },
    {
      $set: { ...set, outboxPending: true },
      $push: {
        events: { type: change.event, version: next.version, occurredAt: now, status: next.status },
        outbox: envelope,
      },
    },
    { new: true },
  )
    .lean<TripRecord>()
    .exec();
  if (!updated) return { ok: false, reason: `trip ${trip.code} changed concurrently`, stale: true };
  nudge();
  if (FINAL_STATUSES.includes(updated.status) && updated.driverCode) {
    // The driver may take rides again. A crash before this line leaves a stale lock that acceptTrip recognises.
    await models.DriverAssignments.deleteOne({ _id: updated.driverCode, tripCode: updated.code }).exec();
  }
  return { ok: true, trip: updated };
}

/**
 * Applies a change to the latest version of a trip, reloading and re-deciding on concurrent updates.
 * `decide` sees the current trip and returns the change to make, or null when nothing is to be done.
 */
export async function changeTrip(
  models: TripModels,
  code: string,
  decide: (trip: TripRecord) => TripChange | null | Promise<TripChange | null>,
  nudge: OutboxNudge,
): Promise<CommitResult | null> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const trip = await models.Trips.findOne({ code }).lean<TripRecord>().exec();
    if (!trip) return null;
    const change = await decide(trip);
    if (!change) return null;
    const result = await commitChange(models, trip, change, nudge);
    if (result.ok || !result.stale) return result;
  }
  return { ok: false, reason: `trip ${code} kept changing concurrently`, stale: true };
}

/** A new trip with its first event in the outbox. */
export async function insertRequestedTrip(
  models: TripModels,
  trip: Omit<TripRecord, 'outbox' | 'outboxPending' | 'publishedVersion'>,
  nudge: OutboxNudge,
): Promise<TripRecord> {
  const record: TripRecord = { ...trip, outbox: [], outboxPending: true, publishedVersion: 0 };
  record.outbox = [createTripEvent('TRIP_REQUESTED', toSnapshot(record), EVENT_SOURCE, trip.requestedAt)];
  await models.Trips.create(record);
  nudge();
  return record;
}
