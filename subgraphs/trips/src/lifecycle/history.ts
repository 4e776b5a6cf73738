import type { TripSnapshot } from '@rideshare/events';
import type { TripEventLogRecord, TripModels, TripRecord, TripUpdateRecord } from '../models';

const date = (iso: string | null) => (iso ? new Date(iso) : null);

/** The trip as it was at one version, rebuilt from that event's snapshot and the history up to it. */
function recordAt(snapshot: TripSnapshot, history: TripEventLogRecord[]): TripRecord {
  return {
    ...snapshot,
    requestedAt: new Date(snapshot.requestedAt),
    acceptedAt: date(snapshot.acceptedAt),
    startedAt: date(snapshot.startedAt),
    endedAt: date(snapshot.endedAt),
    events: history.map((h) => ({ ...h.entry, occurredAt: new Date(h.entry.occurredAt) })),
    acceptDeadline: null,
    nextMonitorAt: null,
  };
}

/** One update of a trip from the event log (used to replay and to resolve live subscription payloads). */
export async function tripUpdateAt(
  models: TripModels,
  code: string,
  version: number,
): Promise<TripUpdateRecord | null> {
  const history = await models.TripEventLog.find({ code, version: { $lte: version } })
    .sort({ version: 1 })
    .lean<TripEventLogRecord[]>()
    .exec();
  const logged = history.at(-1);
  if (!logged || logged.version !== version) return null;
  return {
    event: logged.entry.type,
    version,
    occurredAt: new Date(logged.entry.occurredAt),
    trip: recordAt(logged.envelope.data.trip, history),
  };
}
