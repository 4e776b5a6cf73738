import type { Producer } from 'kafkajs';
import { errorFields, type Logger } from '@rideshare/common';
import { newTraceparent, TOPICS } from '@rideshare/events';
import type { TripEventLogRecord, TripModels } from '../models';
import { catchUp } from './store';

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
    const pending = await models.TripEventLog.find({ published: false })
      .sort({ createdAt: 1, version: 1 })
      .limit(500)
      .lean<TripEventLogRecord[]>()
      .exec();
    if (pending.length === 0) return 0;
    await producer.send({
      topic: TOPICS.tripEvents,
      messages: pending.map((e) => ({
        key: e.code,
        value: JSON.stringify(e.envelope),
        headers: { traceparent: newTraceparent(), 'ce-id': e._id, 'ce-type': e.envelope.type },
      })),
    });
    await models.TripEventLog.updateMany(
      { _id: { $in: pending.map((e) => e._id) } },
      { $set: { published: true } },
    ).exec();
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
