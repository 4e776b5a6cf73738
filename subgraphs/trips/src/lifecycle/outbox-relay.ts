import type { Producer } from 'kafkajs';
import { errorFields, type Logger } from '@rideshare/common';
import { newTraceparent, TOPICS } from '@rideshare/events';
import type { TripEventLogRecord, TripModels, TripOutboxRecord } from '../models';
import { addOutboxPointer, catchUp, loggedVersion } from './store';

export interface OutboxRelay {
  nudge: () => void;
  stop: () => Promise<void>;
  /** Runs one pass now (tests). */
  flush: () => Promise<number>;
}

/**
 * Publishes logged trip events to Kafka in version order per trip (keyed by trip code), then marks
 * them published. A crash between send and mark re-sends them after restart: events carry stable ids
 * (code:version) and every consumer is idempotent, so nothing is lost or applied twice. It also
 * catches the trip documents up, in case a writer died between logging and projecting a change.
 *
 * Each pass reads the small `trip_outbox` collection of pointers, then the entries by `_id`, walking
 * back to any earlier unpublished version of the trip. A writer that died between the log entry and
 * its pointer leaves an entry with no pointer; the sweep (at start, then every `sweepIntervalMs`)
 * reads the whole log for unpublished entries and recreates their pointers.
 */
export function startOutboxRelay(
  models: TripModels,
  producer: Producer,
  log: Logger,
  intervalMs: number,
  sweepIntervalMs: number,
): OutboxRelay {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = false;
  let lastSweep = 0;
  /** The highest version this relay published per trip, so a pass need not look further back. */
  const publishedUpTo = new Map<string, number>();

  /** The trip's unpublished entries up to `version`, oldest first. */
  const unpublished = async (code: string, version: number): Promise<TripEventLogRecord[]> => {
    const found: TripEventLogRecord[] = [];
    for (let v = version; v > (publishedUpTo.get(code) ?? 0); v--) {
      const entry = await loggedVersion(models, code, v);
      if (!entry || entry.published) break;
      found.unshift(entry);
    }
    return found;
  };

  const sweep = async () => {
    lastSweep = Date.now();
    const lost = await models.TripEventLog.find({ published: false }, { code: 1, version: 1, createdAt: 1 })
      .lean<Array<Pick<TripEventLogRecord, '_id' | 'code' | 'version' | 'createdAt'>>>()
      .exec();
    for (const e of lost) await addOutboxPointer(models, e);
  };

  const pass = async (): Promise<number> => {
    if (Date.now() - lastSweep >= sweepIntervalMs) await sweep();
    const pointers = await models.TripOutbox.find().limit(1_000).lean<TripOutboxRecord[]>().exec();
    if (pointers.length === 0) return 0;
    const latest = new Map<string, number>();
    for (const p of pointers) latest.set(p.code, Math.max(p.version, latest.get(p.code) ?? 0));
    const pending = (
      await Promise.all([...latest].map(([code, version]) => unpublished(code, version)))
    ).flat();
    if (pending.length > 0)
      await producer.send({
        topic: TOPICS.tripEvents,
        messages: pending.map((e) => ({
          key: e.code,
          value: JSON.stringify(e.envelope),
          headers: { traceparent: newTraceparent(), 'ce-id': e._id, 'ce-type': e.envelope.type },
        })),
      });
    await Promise.all(
      pending.map((e) => models.TripEventLog.updateOne({ _id: e._id }, { $set: { published: true } }).exec()),
    );
    for (const e of pending) publishedUpTo.set(e.code, Math.max(e.version, publishedUpTo.get(e.code) ?? 0));
    if (publishedUpTo.size > 50_000) publishedUpTo.clear(); // only an optimisation: bound it
    await Promise.all(pointers.map((p) => models.TripOutbox.deleteOne({ _id: p._id }).exec()));
    await Promise.all([...latest.keys()].map((code) => catchUp(models, code)));
    return pending.length;
  };

  const run = (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = pass()
      .catch((err: unknown) => {
        log.warn('outbox relay pass failed; will retry', errorFields(err));
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          void run();
        }
      });
    return running;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void run().finally(schedule), intervalMs);
  };
  schedule();

  return {
    nudge: () => void run(),
    flush: run,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
