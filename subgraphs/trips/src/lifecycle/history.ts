import type { TripSnapshot } from '@rideshare/events';
import type {
  TripEventLogRecord,
  TripEventRecord,
  TripModels,
  TripRecord,
  TripUpdateRecord,
} from '../models';
import { loggedVersion } from './store';

const date = (iso: string | null) => (iso ? new Date(iso) : null);

/**
 * Log entries never change once written, so this process keeps recent ones and each watched trip's
 * history (its entries from version 1, contiguous): a live update then costs one point read at most.
 */
const MAX_ENTRIES = 2_000;
const MAX_HISTORIES = 5_000;
const entries = new Map<string, TripEventLogRecord>();
const histories = new Map<string, TripEventRecord[]>();

/** Map insertion order is the recency order: re-inserting marks use; the oldest goes first. */
function remember<V>(cache: Map<string, V>, key: string, value: V, max: number) {
  cache.delete(key);
  cache.set(key, value);
  if (cache.size > max) cache.delete(cache.keys().next().value as string);
}

async function logEntry(models: TripModels, code: string, version: number) {
  const key = `${code}:${version}`;
  const cached = entries.get(key);
  if (cached) return cached;
  const found = await loggedVersion(models, code, version);
  if (found) remember(entries, key, found, MAX_ENTRIES);
  return found;
}

/**
 * The trip's history entries for versions 1..version: cached, else the caller's copy of the trip
 * document (its history is a prefix of the log's), else the log's.
 */
async function historyUpTo(
  models: TripModels,
  trip: TripRecord,
  version: number,
): Promise<TripEventRecord[]> {
  const { code } = trip;
  const cached = histories.get(code) ?? [];
  const known = trip.events.length > cached.length ? trip.events : cached;
  const missing = [];
  for (let v = known.length + 1; v <= version; v++) missing.push(logEntry(models, code, v));
  const found = await Promise.all(missing);
  const history = [...known];
  for (const logged of found) {
    if (!logged) throw new Error(`trip ${code}: the event log has a gap before version ${version}`);
    history.push(logged.entry);
  }
  remember(histories, code, history, MAX_HISTORIES);
  return history.slice(0, version);
}

/** The trip as it was at one version, rebuilt from that event's snapshot and the history up to it. */
function recordAt(snapshot: TripSnapshot, history: TripEventRecord[]): TripRecord {
  return {
    ...snapshot,
    requestedAt: new Date(snapshot.requestedAt),
    acceptedAt: date(snapshot.acceptedAt),
    startedAt: date(snapshot.startedAt),
    endedAt: date(snapshot.endedAt),
    events: history.map((entry) => ({ ...entry, occurredAt: new Date(entry.occurredAt) })),
    acceptDeadline: null,
    nextMonitorAt: null,
  };
}

/**
 * One update of a trip from the event log (used to replay and to resolve live subscription payloads).
 * `trip` is the trip document the caller has already read, at any version.
 */
export async function tripUpdateAt(
  models: TripModels,
  trip: TripRecord,
  version: number,
): Promise<TripUpdateRecord | null> {
  const logged = await logEntry(models, trip.code, version);
  if (!logged) return null;
  return {
    event: logged.entry.type,
    version,
    occurredAt: new Date(logged.entry.occurredAt),
    trip: recordAt(logged.envelope.data.trip, await historyUpTo(models, trip, version)),
  };
}
