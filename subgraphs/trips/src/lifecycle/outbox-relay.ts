import type { Producer } from 'kafkajs';
import { errorFields, type Logger } from '@rideshare/common';
import { newTraceparent, TOPICS } from '@rideshare/events';
import type { TripEventLogRecord, TripModels } from '../models';
import { catchUp, markPublished, unpublishedEntries } from './store';

export interface OutboxRelay {
  nudge: () => void;
  stop: () => Promise<void>;
  /** Runs one pass now (tests). */
  flush: () => Promise<number>;
}

/** How many entries one pass sends at most (whole trips only, so per-trip order holds). */
const BATCH = 1_000;

/**
 * The unpublished entries to send, oldest version first per trip, cut at whole trips. A trip's
 * unpublished versions are consecutive: version N+1 is claimed only once N is logged, and an entry is
 * marked published only after it was sent, so whatever a read misses was sent before.
 */
export function nextBatch(unpublished: TripEventLogRecord[], max = BATCH): TripEventLogRecord[] {
  const byTrip = new Map<string, TripEventLogRecord[]>();
  for (const e of unpublished) {
    const entries = byTrip.get(e.code) ?? [];
    entries.push(e);
    byTrip.set(e.code, entries);
  }
  const trips = [...byTrip.values()].map((entries) => entries.sort((a, b) => a.version - b.version));
  // Oldest pending trips first, so a large backlog drains in the order it was written.
  trips.sort((a, b) => new Date(a[0]!.createdAt).getTime() - new Date(b[0]!.createdAt).getTime());
  const batch: TripEventLogRecord[] = [];
  for (const entries of trips) {
    if (batch.length > 0 && batch.length + entries.length > max) break;
    batch.push(...entries);
  }
  return batch;
}

/**
 * Publishes logged trip events to Kafka in version order per trip (keyed by trip code), then marks
 * them published. A crash between send and mark re-sends them after restart: events carry stable ids
 * (code:version) and every consumer is idempotent, so nothing is lost or applied twice. Several relays
 * (replicas) may send the same entry; consumers drop the copy. It also catches the trip documents up,
 * in case a writer died between logging and projecting a change.
 */
export function startOutboxRelay(
  models: TripModels,
  producer: Producer,
  log: Logger,
  intervalMs: number,
): OutboxRelay {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = false;

  const pass = async (): Promise<number> => {
    const pending = nextBatch(await unpublishedEntries(models));
    if (pending.length === 0) return 0;
    await producer.send({
      topic: TOPICS.tripEvents,
      messages: pending.map((e) => ({
        key: e.code,
        value: JSON.stringify(e.envelope),
        headers: { traceparent: newTraceparent(), 'ce-id': e._id, 'ce-type': e.envelope.type },
      })),
    });
    await markPublished(models, pending);
    await Promise.all([...new Set(pending.map((e) => e.code))].map((code) => catchUp(models, code)));
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
