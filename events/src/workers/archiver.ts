import mongoose from 'mongoose';
import { connectDatabase, isDuplicateKeyError, readDatabaseName } from '@rideshare/common';
import { runTripEventConsumer } from '../consumer';
import { isTerminalTripStatus, type EventTopics, type TripEventEnvelope } from '../contracts';
import { runWorker } from '../worker';

interface ArchivedEvent {
  _id: string;
  tripCode: string;
  version: number;
  event: string;
  envelope: TripEventEnvelope;
  archivedAt: Date;
}

interface ArchivedTrip {
  _id: string;
  version: number;
  status: string;
  trip: TripEventEnvelope['data']['trip'];
  archivedAt: Date;
}

export function archiveModels(conn: mongoose.Connection) {
  const eventSchema = new mongoose.Schema<ArchivedEvent>(
    {
      _id: String,
      tripCode: { type: String, required: true },
      version: Number,
      event: String,
      envelope: mongoose.Schema.Types.Mixed,
      archivedAt: Date,
    },
    { versionKey: false },
  );
  eventSchema.index({ tripCode: 1, version: 1 });
  const tripSchema = new mongoose.Schema<ArchivedTrip>(
    { _id: String, version: Number, status: String, trip: mongoose.Schema.Types.Mixed, archivedAt: Date },
    { versionKey: false },
  );
  return {
    ArchivedEvents: conn.model<ArchivedEvent>('ArchivedEvent', eventSchema, 'trip_events'),
    ArchivedTrips: conn.model<ArchivedTrip>('ArchivedTrip', tripSchema, 'trips'),
  };
}
export type ArchiveModels = ReturnType<typeof archiveModels>;

/** Stores one event; its id (trip:version) is the document id, so a redelivered event is a no-op. */
export async function archive(models: ArchiveModels, event: TripEventEnvelope): Promise<void> {
  const { trip } = event.data;
  try {
    await models.ArchivedEvents.create({
      _id: event.id,
      tripCode: trip.code,
      version: event.data.version,
      event: event.data.event,
      envelope: event,
      archivedAt: new Date(),
    });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  if (isTerminalTripStatus(trip.status)) {
    // A trip ends once (nothing follows COMPLETED or ABORTED), so the first write wins and a redelivery
    // is a no-op; an insert by `_id` is also the one write FerretDB does without reading the collection.
    try {
      await models.ArchivedTrips.create({
        _id: trip.code,
        version: trip.version,
        status: trip.status,
        trip,
        archivedAt: new Date(),
      });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }
}

/** Consumer groups by the topic they read (before KAFKA_NAMESPACE): the KEDA scalers read them too. */
export const consumerGroups = { tripEvents: 'archiver' } as const satisfies Partial<EventTopics>;

if (require.main === module) {
  void runWorker('archiver', 4103, {
    config: (env) => ({ database: readDatabaseName('rideshare_archive', env) }),
    setup: async ({ kafka, producer, log, infra }, config) => {
      const connection = await connectDatabase(infra.mongoUrl, config.database);
      const models = archiveModels(connection);
      await Promise.all([models.ArchivedEvents.init(), models.ArchivedTrips.init()]);
      const consumer = await runTripEventConsumer({
        kafka,
        producer,
        groupId: consumerGroups.tripEvents,
        log,
        handle: (event) => archive(models, event),
      });
      return {
        ready: () => consumer.isRunning() && connection.readyState === mongoose.ConnectionStates.connected,
        closers: [() => connection.close(), () => consumer.stop()],
      };
    },
  });
}
