import mongoose from 'mongoose';
import { connectDatabase, envUrl, isDuplicateKeyError, readDatabaseName } from '@rideshare/common';
import {
  isTerminalTripStatus,
  runTripEventConsumer,
  runWorker,
  type EventTopics,
  type TripEventEnvelope,
} from '@rideshare/events';
import { driversClient, type DriversClient } from '../drivers-client';
import { tripModels, type TripFactRecord, type TripModels } from '../models';
import { countOutcome } from '../trip-metrics';

const hourOf = (iso: string) => `${iso.slice(0, 13)}:00:00.000Z`;
const date = (iso: string | null) => (iso ? new Date(iso) : null);

/** Builds the flattened fact of a finished trip (the reference scenario's TripFact row). */
export async function tripFact(
  event: TripEventEnvelope,
  drivers: DriversClient,
): Promise<TripFactRecord | null> {
  const { trip } = event.data;
  if (!isTerminalTripStatus(trip.status)) return null;
  const driver = trip.driverCode ? await drivers.get(trip.driverCode) : null;
  const ended = trip.endedAt ?? event.time;
  return {
    _id: trip.code,
    version: trip.version,
    status: trip.status,
    mode: trip.type,
    passengerCode: trip.passengerCode,
    driverCode: trip.driverCode,
    carMake: driver?.car.make ?? null,
    carModel: driver?.car.model ?? null,
    carLicensePlate: driver?.car.licensePlate ?? null,
    source: trip.source,
    destination: trip.destination,
    requestedAt: new Date(trip.requestedAt),
    acceptedAt: date(trip.acceptedAt),
    startedAt: date(trip.startedAt),
    endedAt: new Date(ended),
    hour: hourOf(ended),
    durationSeconds: trip.durationSeconds,
    monitorIterations: trip.monitorIterations,
    error: trip.error,
  };
}

/**
 * Stores the fact once: a trip ends once, so a redelivery changes nothing. An insert by `_id` is the one
 * write FerretDB does without reading the whole collection. True when this call stored it.
 */
export async function project(models: TripModels, fact: TripFactRecord): Promise<boolean> {
  try {
    await models.TripFacts.create(fact);
    return true;
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    return false;
  }
}

/** Consumer groups by the topic they read (before KAFKA_NAMESPACE): the KEDA scalers read them too. */
export const consumerGroups = { tripEvents: 'trips-reporting' } as const satisfies Partial<EventTopics>;

if (require.main === module) {
  void runWorker('reporting', 4104, {
    config: (env) => ({
      database: readDatabaseName('rideshare_trips', env),
      // Built now (it connects only when called), so its URL and signing secret are checked first.
      drivers: driversClient(
        envUrl('DRIVERS_URL', 'http://127.0.0.1:4001/graphql', ['http:', 'https:'], env),
      ),
    }),
    setup: async ({ kafka, producer, log, infra }, config) => {
      const connection = await connectDatabase(infra.mongoUrl, config.database);
      const models = tripModels(connection);
      await models.TripFacts.init();
      const { drivers } = config;
      const consumer = await runTripEventConsumer({
        kafka,
        producer,
        groupId: consumerGroups.tripEvents,
        log,
        handle: async (event) => {
          const fact = await tripFact(event, drivers);
          // The trip's outcome is counted by whoever stores its fact: once per trip.
          if (fact && (await project(models, fact))) countOutcome(fact);
        },
      });
      return {
        ready: () => consumer.isRunning() && connection.readyState === mongoose.ConnectionStates.connected,
        closers: [() => connection.close(), () => consumer.stop()],
      };
    },
  });
}
