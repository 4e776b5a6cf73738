import { readSdl } from '@rideshare/schema';
import type mongoose from 'mongoose';
import { createSubgraphServer, envUrl, readInfraConfig, type Logger } from '@rideshare/common';
import { createKafka, createProducer, ensureTopics } from '@rideshare/events';
import { createContext } from './context';
import { readLifecycleConfig } from './lifecycle/config';
import { startOutboxRelay } from './lifecycle/outbox-relay';
import { tripModels } from './models';
import { passengerDirectory } from './passengers';
import { resolvers } from './resolvers';

export const typeDefs = readSdl('trips');

/** Builds the trips subgraph and its outbox relay on an open database connection. Does not listen. */
export async function createTripsServer(connection: mongoose.Connection, log: Logger) {
  const models = tripModels(connection);
  await Promise.all([models.Trips.init(), models.DriverAssignments.init(), models.TripFacts.init()]);
  const lifecycle = readLifecycleConfig();
  const passengers = passengerDirectory(
    envUrl('PASSENGERS_URL', 'http://127.0.0.1:4002/graphql', ['http:', 'https:']),
  );
  // The outbox relay lives with the service that commits trip changes.
  const kafka = createKafka('rideshare-trips', readInfraConfig().kafkaBrokers, log);
  await ensureTopics(kafka);
  const producer = await createProducer(kafka);
  const relay = startOutboxRelay(models, producer, log, lifecycle.outboxPollIntervalMs);
  const server = await createSubgraphServer({
    name: 'trips',
    typeDefs,
    resolvers,
    connection,
    log,
    context: async (identity) => createContext(models, passengers, lifecycle, relay.nudge, identity),
  });
  return {
    ...server,
    async close() {
      await server.close(); // stop taking requests; in-flight ones finish
      await relay.stop(); // whatever is still pending is sent by the next start
      await producer.disconnect();
    },
  };
}
