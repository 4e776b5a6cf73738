import { readSdl } from '@rideshare/schema';
import type mongoose from 'mongoose';
import { createSubgraphServer, readInfraConfig, type Logger } from '@rideshare/common';
import { createKafka, createProducer, ensureTopics } from '@rideshare/events';
import { readDriversConfig } from './config';
import { createContext } from './context';
import { startLocationRelay } from './location-relay';
import { driverModels } from './models';
import { resolvers } from './resolvers';
import { createDriverStorage } from './storage';
import { tripsDirectory } from './trips-client';

export const typeDefs = readSdl('drivers');

/** Builds the drivers subgraph and its location relay on an open database connection. Does not listen. */
export async function createDriversServer(connection: mongoose.Connection, log: Logger) {
  const models = driverModels(connection);
  await Promise.all([models.Drivers.init(), models.DriverChanges.init(), models.DriverLocations.init()]);
  const config = readDriversConfig();
  // The relay lives with the service that commits the moves (the change log is its outbox); each
  // move wakes it, so it is published without waiting for the next poll.
  const kafka = createKafka('rideshare-drivers', readInfraConfig().kafkaBrokers, log);
  await ensureTopics(kafka);
  const producer = await createProducer(kafka);
  const relay = startLocationRelay(models, producer, log, config.outboxPollIntervalMs);
  const storage = createDriverStorage(models, relay.nudge);
  const trips = tripsDirectory(config.tripsUrl);
  const server = await createSubgraphServer({
    name: 'drivers',
    typeDefs,
    resolvers,
    connection,
    log,
    context: async (identity) => createContext(storage, trips, identity),
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
