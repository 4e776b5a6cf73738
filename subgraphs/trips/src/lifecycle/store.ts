import { createTripEvent, isTerminalTripStatus, tripEventId } from '@rideshare/events';
import { currentTraceCarrier, findForEach, isDuplicateKeyError, olderThanVersion } from '@rideshare/common';
import type { TripDocument, TripEventLogRecord, TripModels, TripRecord } from '../models';
import { MONITORED, timerSlotOf } from './timers';
import { applyChange, toSnapshot, type TripChange } from './transitions';

export const EVENT_SOURCE = 'urn:rideshare:trips';

export type CommitResult = { ok: true; trip: TripRecord } | { ok: false; reason: string; stale: boolean };

/** Called after every committed change so the outbox relay publishes without waiting for its next poll. */
export type OutboxNudge = () => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every read here is a point read by `_id`: a trip's code, or a log entry's `code:version` event id. */
export const findTrip = (models: TripModels, code: string) =>
  models.Trips.findById(code).lean<TripDocument>().exec();

/** The driver's assignment lock (one per driver on an active trip; its `_id` is the driver's code). */
export const driverAssignment = (models: TripModels, driverCode: string) =>
  models.DriverAssignments.findById(driverCode).lean().exec();

export const loggedVersion = (models: TripModels, code: string, version: number) =>
  models.TripEventLog.findById(tripEventId(code, version)).lean<TripEventLogRecord>().exec();

/** What the orchestrator's scanner needs of a trip with a deadline. */
export type ScheduledTrip = Pick<
  TripDocument,
  '_id' | 'status' | 'acceptDeadline' | 'nextMonitorAt' | 'trace'
>;
const SCHEDULE_FIELDS = { _id: 1, status: 1, acceptDeadline: 1, nextMonitorAt: 1, trace: 1 };

const scheduled = (models: TripModels, filter: { timerSlot: number } | { status: string }) =>
  models.Trips.find(filter, SCHEDULE_FIELDS).lean<ScheduledTrip[]>().exec();

/** Trips whose next deadline falls in one of these slots. */
export const tripsInTimerSlots = (models: TripModels, slots: number[]) =>
  findForEach(slots, (timerSlot) => scheduled(models, { timerSlot }));

/** Every trip with a deadline, by status (the statuses hold only unfinished trips). */
export const scheduledTrips = (models: TripModels) =>
  findForEach(['DRIVERS_NOTIFIED', ...MONITORED], (status) => scheduled(models, { status }));

/** The log entries the outbox relay has not sent yet (an indexed equality, however long the log). */
export const unpublishedEntries = (models: TripModels) =>
  models.TripEventLog.find({ published: false }).lean<TripEventLogRecord[]>().exec();

export async function markPublished(models: TripModels, entries: Array<Pick<TripEventLogRecord, '_id'>>) {
  await Promise.all(
    entries.map((e) => models.TripEventLog.updateOne({ _id: e._id }, { $set: { published: true } }).exec()),
  );
}

/**
 * Claims a version by inserting its log entry (throws a duplicate-key error when the version is taken).
 * The entry is unpublished until the outbox relay has sent it, so a writer that dies right after
 * claiming loses nothing: the relay finds the entry by its `published` flag.
 */
async function appendToLog(models: TripModels, entry: TripEventLogRecord): Promise<void> {
  await models.TripEventLog.create(entry);
}

/**
 * Writes one logged change onto the trip document, by `_id`, with the timer slot of its next deadline,
 * over an older document only (olderThanVersion, as the versioned store does). FerretDB checks that
 * condition on its own read just before its write, so in that short window a late writer can still
 * put back an older version; whoever writes version N then looks for N+1 in the log and catches up,
 * so the last write is never older than the log.
 */
async function project(
  models: TripModels,
  trip: TripRecord | null,
  logged: Pick<TripEventLogRecord, 'set' | 'entry' | 'trace'>,
): Promise<TripRecord> {
  const trace = logged.trace ?? null;
  if (!trip) {
    const projected = logged.set as TripRecord; // version 1 sets the whole trip
    try {
      await models.Trips.create({
        ...projected,
        _id: projected.code,
        timerSlot: timerSlotOf(projected),
        trace,
      });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    return projected;
  }
  const events = [...trip.events, logged.entry];
  const projected: TripRecord = { ...trip, ...logged.set, events };
  await models.Trips.updateOne(
    { _id: trip.code, version: olderThanVersion(projected.version) },
    { $set: { ...logged.set, events, timerSlot: timerSlotOf(projected), trace } },
  ).exec();
  return projected;
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
  const trace = currentTraceCarrier();
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
      trace,
    });
  } catch (err) {
    if (isDuplicateKeyError(err))
      return { ok: false, reason: `trip ${trip.code} changed concurrently`, stale: true };
    throw err;
  }
  nudge();
  await project(models, trip, { set, entry, trace });
  // A writer of a later version may have projected it before us: put it back.
  if (await loggedVersion(models, trip.code, next.version + 1)) await catchUp(models, trip.code);
  const updated: TripRecord = { ...next, events: [...trip.events, entry] };
  if (isTerminalTripStatus(updated.status) && updated.driverCode) {
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
  const trace = currentTraceCarrier();
  await appendToLog(models, {
    _id: tripEventId(trip.code, 1),
    code: trip.code,
    version: 1,
    set: trip,
    entry,
    envelope: createTripEvent('TRIP_REQUESTED', toSnapshot(trip), EVENT_SOURCE, trip.requestedAt),
    published: false,
    createdAt: trip.requestedAt,
    trace,
  });
  await project(models, null, { set: trip, entry, trace });
  nudge();
  return trip;
}
