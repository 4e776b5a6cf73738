import { readSdl } from '@rideshare/schema';
import type mongoose from 'mongoose';
import { createSubgraphServer, type Logger } from '@rideshare/common';
import { createOutboxLease, createRelayServer, readKafkaConfig } from '@rideshare/events';
import { readDriversConfig } from './config';
import { createContext } from './context';
import { startLocationRelay } from './location-relay';
import { driverModels } from './models';
import { resolvers } from './resolvers';
import { createDriverStorage } from './storage';
import { tripsDirectory } from './trips-client';

export const typeDefs = readSdl('drivers');

/** The drivers service's settings; its index reads them before anything connects. */
export function readDriversServerConfig(env: NodeJS.ProcessEnv = process.env) {
  return { ...readDriversConfig(env), kafka: readKafkaConfig(env) };
}

/** Builds the drivers subgraph and its location relay on an open database connection. Does not listen. */
export async function createDriversServer(
  connection: mongoose.Connection,
  log: Logger,
  config = readDriversServerConfig(),
) {
  const models = driverModels(connection);
  await Promise.all([models.Drivers.init(), models.DriverChanges.init(), models.DriverLocations.init()]);
  // The change log is the relay's outbox; each move wakes it, so it is published without waiting for
  // the next poll.
  return createRelayServer({
    clientId: 'rideshare-drivers',
    log,
    kafka: config.kafka,
    startRelay: (producer) =>
      startLocationRelay(
        models,
        producer,
        log,
        config.outboxPollIntervalMs,
        config.kafka.topics,
        createOutboxLease(connection.collection('outbox_leases'), 'drivers'),
      ),
    createServer: (relay) => {
      const storage = createDriverStorage(models, relay.nudge);
      const trips = tripsDirectory(config.tripsUrl);
      return createSubgraphServer({
        name: 'drivers',
        typeDefs,
        resolvers,
        connection,
        log,
        context: async (identity) => createContext(storage, trips, identity),
      });
    },
  });
}
