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
 * Each pass reads the small `trip_outbox` collection of pointers (FerretDB reads a whole collection
 * for any filter but `_id`, and the log only grows), then the entries by `_id`, walking back to any
 * earlier unpublished version of the trip. Writers add the pointer before claiming the version (see
 * `appendToLog`), so every logged entry has one. A pointer whose entry does not appear within
 * `orphanMs` belongs to a writer that died before claiming: it is dropped, then the entry is looked
 * for once more, and the pointer put back if the claim landed meanwhile (the writer also checks).
 */
export function startOutboxRelay(
  models: TripModels,
  producer: Producer,
  log: Logger,
  intervalMs: number,
  orphanMs: number,
): OutboxRelay {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = false;
  /** The highest version known published per trip, so a pass need not look further back. */
  const publishedUpTo = new Map<string, number>();
  const markPublished = (code: string, version: number) =>
    publishedUpTo.set(code, Math.max(version, publishedUpTo.get(code) ?? 0));

  /**
   * The trip's unpublished entries up to `version`, oldest first. The newest pointer's entry may not
   * be there yet (its writer is claiming it): that one is skipped.
   */
  const unpublished = async (code: string, version: number): Promise<TripEventLogRecord[]> => {
    const found: TripEventLogRecord[] = [];
    for (let v = version; v > (publishedUpTo.get(code) ?? 0); v--) {
      const entry = await loggedVersion(models, code, v);
      if (!entry && v === version) continue;
      if (!entry) break;
      if (entry.published) {
        markPublished(code, v);
        break;
      }
      found.unshift(entry);
    }
    return found;
  };

  /** A pointer with no entry: drop it once old enough, unless the claim lands meanwhile. */
  const dropIfOrphan = async (pointer: TripOutboxRecord) => {
    if (Date.now() - new Date(pointer.createdAt).getTime() < orphanMs) return;
    if (await loggedVersion(models, pointer.code, pointer.version)) return;
    await models.TripOutbox.deleteOne({ _id: pointer._id }).exec();
    if (await loggedVersion(models, pointer.code, pointer.version)) await addOutboxPointer(models, pointer);
  };

  const pass = async (): Promise<number> => {
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
    for (const e of pending) markPublished(e.code, e.version);
    if (publishedUpTo.size > 50_000) publishedUpTo.clear(); // only an optimisation: bound it
    await Promise.all(
      pointers.map((p) =>
        p.version <= (publishedUpTo.get(p.code) ?? 0)
          ? models.TripOutbox.deleteOne({ _id: p._id }).exec()
          : dropIfOrphan(p),
      ),
    );
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
