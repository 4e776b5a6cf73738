import { createTripEvent, tripEventId } from '@rideshare/events';
import { isDuplicateKeyError } from '@rideshare/common';
import {
  FINAL_STATUSES,
  type TripDocument,
  type TripEventLogRecord,
  type TripModels,
  type TripRecord,
} from '../models';
import { applyChange, toSnapshot, type TripChange } from './transitions';

export const EVENT_SOURCE = 'urn:rideshare:trips';

export type CommitResult = { ok: true; trip: TripRecord } | { ok: false; reason: string; stale: boolean };

/** Called after every committed change so the outbox relay publishes without waiting for its next poll. */
export type OutboxNudge = () => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Every read here is by `_id` (a trip's code, a log entry's `code:version` event id): FerretDB 1.x scans the whole
 * collection for any other filter, and the event log grows with every event.
 */
export const findTrip = (models: TripModels, code: string) =>
  models.Trips.findById(code).lean<TripDocument>().exec();

export const loggedVersion = (models: TripModels, code: string, version: number) =>
  models.TripEventLog.findById(tripEventId(code, version)).lean<TripEventLogRecord>().exec();

/** Points the outbox relay at a log entry; a pointer that is already there is fine. */
export async function addOutboxPointer(
  models: TripModels,
  entry: Pick<TripEventLogRecord, '_id' | 'code' | 'version' | 'createdAt'>,
): Promise<void> {
  const { _id, code, version, createdAt } = entry;
  try {
    await models.TripOutbox.create({ _id, code, version, createdAt });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
}

/**
 * Claims a version by inserting its log entry (throws a duplicate-key error when the version is taken).
 * The outbox pointer goes in first, so a writer that dies right after claiming has already pointed the
 * relay at its entry. The relay drops a pointer whose entry it cannot find after a while (its writer
 * died before claiming); if that happened while this claim was in flight, the pointer is put back.
 */
async function appendToLog(models: TripModels, entry: TripEventLogRecord): Promise<void> {
  await addOutboxPointer(models, entry);
  await models.TripEventLog.create(entry);
  if (!(await models.TripOutbox.exists({ _id: entry._id }))) await addOutboxPointer(models, entry);
}

/**
 * Writes one logged change onto the trip document (by `_id` alone: a second condition would make FerretDB
 * scan). A late writer can put back an older version for a moment; whoever writes version N then looks
 * for N+1 in the log and catches up, so the last write is never older than the log.
 */
async function project(
  models: TripModels,
  trip: TripRecord | null,
  logged: Pick<TripEventLogRecord, 'set' | 'entry'>,
): Promise<TripRecord> {
  let projected: TripRecord;
  if (!trip) {
    projected = logged.set as TripRecord; // version 1 sets the whole trip
    try {
      await models.Trips.create({ ...projected, _id: projected.code });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  } else {
    const events = [...trip.events, logged.entry];
    await models.Trips.updateOne({ _id: trip.code }, { $set: { ...logged.set, events } }).exec();
    projected = { ...trip, ...logged.set, events };
  }
  await syncTimer(models, projected);
  return projected;
}

/**
 * Copies the trip's deadlines to its timer, unless the timer already has a later version. Read, then
 * write, both by `_id` (a version condition in the filter would make FerretDB read every timer). Two
 * writers racing between the read and the write can leave the older timer; the orchestrator re-syncs a
 * timer that fires without changing its trip.
 */
export async function syncTimer(models: TripModels, trip: TripRecord): Promise<void> {
  const { code, version, status, acceptDeadline, nextMonitorAt } = trip;
  const timer = { version, status, acceptDeadline, nextMonitorAt, updatedAt: new Date() };
  const current = await models.TripTimers.findById(code, { version: 1 }).lean().exec();
  if (current && current.version >= version) return;
  if (current) {
    await models.TripTimers.updateOne({ _id: code }, { $set: timer }).exec();
    return;
  }
  try {
    await models.TripTimers.create({ _id: code, ...timer });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    await syncTimer(models, trip); // created meanwhile: compare with that one
  }
}

/**
 * Brings the trip document up to the latest logged version. Each step writes the same values whoever
 * runs it, so concurrent or repeated catch-ups agree. This is also how a change whose writer died after
 * logging it still reaches the document.
 */
export async function catchUp(models: TripModels, code: string): Promise<TripRecord | null> {
  let trip: TripRecord | null = await findTrip(models, code);
  for (;;) {
    const next = await loggedVersion(models, code, (trip?.version ?? 0) + 1);
    if (!next || (!trip && next.version !== 1)) return trip;
    trip = await project(models, trip, next);
  }
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
    await appendToLog(models, {
      _id: tripEventId(trip.code, next.version),
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
  await project(models, trip, { set, entry });
  // A writer of a later version may have projected it before us: put it back.
  if (await loggedVersion(models, trip.code, next.version + 1)) await catchUp(models, trip.code);
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
  if (!entry) throw new Error(`trip ${trip.code} has no TRIP_REQUESTED entry`);
  await appendToLog(models, {
    _id: tripEventId(trip.code, 1),
    code: trip.code,
    version: 1,
    set: trip,
    entry,
    envelope: createTripEvent('TRIP_REQUESTED', toSnapshot(trip), EVENT_SOURCE, trip.requestedAt),
    published: false,
    createdAt: trip.requestedAt,
  });
  await project(models, null, { set: trip, entry });
  nudge();
  return trip;
}
