import type { Producer } from 'kafkajs';
import { errorFields, type Logger } from '@rideshare/common';
import { newTraceparent, TOPICS, type TripEventEnvelope } from '@rideshare/events';
import type { TripModels, TripRecord } from '../models';

export interface OutboxRelay {
  nudge: () => void;
  stop: () => Promise<void>;
  /** Runs one pass now (tests). */
  flush: () => Promise<number>;
}

/**
 * Publishes committed events from trip outboxes to Kafka, in version order per trip (keyed by trip
 * code), then marks them published. A crash between send and mark re-sends them on restart: events
 * carry stable ids (code:version) and every consumer is idempotent, so nothing is lost or doubled.
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
    const pending = await models.Trips.find(
      { outboxPending: true },
      { code: 1, version: 1, outbox: 1, publishedVersion: 1 },
    )
      .limit(200)
      .lean<Pick<TripRecord, 'code' | 'version' | 'outbox' | 'publishedVersion'>[]>()
      .exec();
    if (pending.length === 0) return 0;
    const batches = pending.map((trip) => ({
      trip,
      events: trip.outbox
        .filter((e: TripEventEnvelope) => e.data.version > trip.publishedVersion)
        .sort((a, b) => a.data.version - b.data.version),
    }));
    const messages = batches.flatMap(({ trip, events }) =>
      events.map((e) => ({
        key: trip.code,
        value: JSON.stringify(e),
        headers: { traceparent: newTraceparent(), 'ce-id': e.id, 'ce-type': e.type },
      })),
    );
    if (messages.length > 0) await producer.send({ topic: TOPICS.tripEvents, messages });
    await Promise.all(
      batches.map(async ({ trip, events }) => {
        // Everything up to trip.version was in the outbox we read: clear it unless a newer event arrived meanwhile.
        const cleared = await models.Trips.updateOne(
          { code: trip.code, version: trip.version },
          { $set: { outbox: [], outboxPending: false, publishedVersion: trip.version } },
        ).exec();
        const last = events.at(-1)?.data.version;
        if (cleared.matchedCount === 0 && last !== undefined) {
          await models.Trips.updateOne(
            { code: trip.code, publishedVersion: { $lt: last } },
            { $set: { publishedVersion: last } },
          ).exec();
        }
      }),
    );
    return messages.length;
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
