import type { Producer } from 'kafkajs';
import type { ChangeEntry, Logger } from '@rideshare/common';
import {
  createDriverLocationEvent,
  orderedBatch,
  startOutboxRelay,
  type EventTopics,
  type OutboxLease,
  type OutboxRelay,
} from '@rideshare/events';
import type { DriverDocument, DriverModels } from './models';
import { createDriverStorage } from './storage';

type Move = ChangeEntry<DriverDocument>;

/** The driver event of one logged move (its version is the driver's after the move). */
export function locationEvent(move: Move) {
  const { location } = move.set;
  if (!location) throw new Error(`change ${move._id} is in the outbox but sets no location`);
  return createDriverLocationEvent({ code: move.key, version: move.version, location }, move.createdAt);
}

/**
 * Publishes the drivers' moves to the driver-events topic (keyed by driver code, each driver's in
 * version order), then marks them published, through the one outbox relay (events/src/outbox-relay.ts).
 * Afterwards the moved drivers are read once, which projects a move whose writer died before writing
 * it onto the driver document. `topics` are those of the service's namespace.
 */
export function startLocationRelay(
  models: DriverModels,
  producer: Producer,
  log: Logger,
  intervalMs: number,
  topics: EventTopics,
  lease?: OutboxLease,
): OutboxRelay {
  const storage = createDriverStorage(models);
  return startOutboxRelay<Move>({
    lease,
    name: 'drivers',
    producer,
    topic: topics.driverEvents,
    log,
    intervalMs,
    nextBatch: async () => orderedBatch(await storage.unpublishedMoves(), (m) => m.key),
    pending: () => storage.unpublishedMoves(),
    toEvent: (move) => ({ key: move.key, envelope: locationEvent(move), trace: move.trace }),
    markPublished: (sent) => storage.markMovesPublished(sent),
    afterPublished: async (sent) => {
      await Promise.all([...new Set(sent.map((m) => m.key))].map((code) => storage.getDriver(code)));
    },
  });
}
