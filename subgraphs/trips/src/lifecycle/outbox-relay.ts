import type { Producer } from 'kafkajs';
import type { Logger } from '@rideshare/common';
import {
  orderedBatch,
  startOutboxRelay as startRelay,
  type EventTopics,
  type OutboxLease,
  type OutboxRelay,
} from '@rideshare/events';
import type { TripEventLogRecord, TripModels } from '../models';
import { catchUp, markPublished, unpublishedEntries } from './store';

export type { OutboxRelay };

/**
 * The unpublished entries to send, oldest version first per trip, cut at whole trips. A trip's
 * unpublished versions are consecutive: version N+1 is claimed only once N is logged, and an entry is
 * marked published only after it was sent, so whatever a read misses was sent before.
 */
export const nextBatch = (unpublished: TripEventLogRecord[], max?: number): TripEventLogRecord[] =>
  orderedBatch(unpublished, (e) => e.code, max);

/**
 * Publishes logged trip events to Kafka in version order per trip (keyed by trip code), then marks
 * them published (the generic relay: events/src/outbox-relay.ts). Every replica runs one; the lease
 * lets one publish at a time (a crash between send and mark still re-sends: consumers drop the copy). It also catches the trip documents up, in case a writer
 * died between logging and projecting a change. `topics` are those of the service's namespace.
 */
export function startOutboxRelay(
  models: TripModels,
  producer: Producer,
  log: Logger,
  intervalMs: number,
  topics: EventTopics,
  lease?: OutboxLease,
): OutboxRelay {
  return startRelay<TripEventLogRecord>({
    lease,
    name: 'trips',
    producer,
    topic: topics.tripEvents,
    log,
    intervalMs,
    nextBatch: async () => nextBatch(await unpublishedEntries(models)),
    pending: () => unpublishedEntries(models),
    toEvent: (e) => ({ key: e.code, envelope: e.envelope, trace: e.trace }),
    markPublished: (sent) => markPublished(models, sent),
    afterPublished: async (sent) => {
      await Promise.all([...new Set(sent.map((e) => e.code))].map((code) => catchUp(models, code)));
    },
  });
}
