import { createTripEvent } from '@rideshare/events';
import { isDuplicateKeyError } from '@rideshare/common';
import { FINAL_STATUSES, type TripEventLogRecord, type TripModels, type TripRecord } from '../models';
import { applyChange, toSnapshot, type TripChange } from './transitions';

export const EVENT_SOURCE = 'urn:rideshare:trips';

export type CommitResult = { ok: true; trip: TripRecord } | { ok: false; reason: string; stale: boolean };

/** Called after every committed change so the outbox relay publishes without waiting for its next poll. */
export type OutboxNudge = () => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Brings the trip document up to the latest logged version. Each step is conditional on the previous
 * version and writes the same values whoever runs it, so concurrent or repeated catch-ups agree.
 * This is also how a change whose writer died after logging it still reaches the document.
 */
export async function catchUp(models: TripModels, code: string): Promise<TripRecord | null> {
  let trip = await models.Trips.findOne({ code }).lean<TripRecord>().exec();
  const pending = await models.TripEventLog.find({ code, version: { $gt: trip?.version ?? 0 } })
    .sort({ version: 1 })
    .lean<TripEventLogRecord[]>()
    .exec();
  for (const logged of pending) {
    if (!trip) {
      if (logged.version !== 1) break;
      try {
        await models.Trips.create(logged.set);
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
    } else {
      if (logged.version !== trip.version + 1) break;
      await models.Trips.updateOne(
        { code, version: trip.version },
        { $set: { ...logged.set, events: [...trip.events, logged.entry] } },
      ).exec();
    }
    trip = await models.Trips.findOne({ code }).lean<TripRecord>().exec();
  }
  return trip;
}

/** Logs the event (the atomic claim of the next version), then projects it onto the trip document. */
async function commitChange(
  models: TripModels,
  trip: TripRecord,
  change: TripChange,
  nudge: OutboxNudge,
  now = new Date(),
): Promise<CommitResult> {
  const transition = applyChange(trip, change, now);
  if (!transition.ok) return { ok: false, reason: transition.reason, stale: false };
  const { set, next } = transition;
  const entry = { type: change.event, version: next.version, occurredAt: now, status: next.status };
  try {
    await models.TripEventLog.create({
      _id: `${trip.code}:${next.version}`,
      code: trip.code,
      version: next.version,
      set,
      entry,
      envelope: createTripEvent(change.event, toSnapshot(next), EVENT_SOURCE, now),
      published: false,
      createdAt: now,
    });
  } catch (err) {
    if (isDuplicateKeyError(err))
      return { ok: false, reason: `trip ${trip.code} changed concurrently`, stale: true };
    throw err;
  }
  nudge();
  await models.Trips.updateOne(
    { code: trip.code, version: trip.version },
    { $set: { ...set, events: [...trip.events, entry] } },
  ).exec();
  const updated: TripRecord = { ...next, events: [...trip.events, entry] };
  if (FINAL_STATUSES.includes(updated.status) && updated.driverCode) {
    // The driver may take rides again. A crash before this line leaves a stale lock that acceptTrip recognises.
    await models.DriverAssignments.deleteOne({ _id: updated.driverCode, tripCode: updated.code }).exec();
  }
  return { ok: true, trip: updated };
}

/**
 * Applies a change to the latest version of a trip, re-deciding after a concurrent change.
 * `decide` sees the current trip and returns the change to make, or null when nothing is to be done.
 */
export async function changeTrip(
  models: TripModels,
  code: string,
  decide: (trip: TripRecord) => TripChange | null | Promise<TripChange | null>,
  nudge: OutboxNudge,
): Promise<CommitResult | null> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const trip = await catchUp(models, code);
    if (!trip) return null;
    const change = await decide(trip);
    if (!change) return null;
    const result = await commitChange(models, trip, change, nudge);
    if (result.ok || !result.stale) return result;
    await sleep(5 * (attempt + 1)); // the winner is projecting its change; give it a moment
  }
  return { ok: false, reason: `trip ${code} kept changing concurrently`, stale: true };
}

/** A new trip: its first event is logged before the document, so a crash in between loses nothing. */
export async function insertRequestedTrip(
  models: TripModels,
  trip: TripRecord,
  nudge: OutboxNudge,
): Promise<TripRecord> {
  const entry = trip.events[0];
  await models.TripEventLog.create({
    _id: `${trip.code}:1`,
    code: trip.code,
    version: 1,
    set: trip,
    entry,
    envelope: createTripEvent('TRIP_REQUESTED', toSnapshot(trip), EVENT_SOURCE, trip.requestedAt),
    published: false,
    createdAt: trip.requestedAt,
  });
  try {
    await models.Trips.create(trip);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err; // the relay already projected it from the log
  }
  nudge();
  return trip;
}
