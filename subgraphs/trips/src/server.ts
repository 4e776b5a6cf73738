import { readSdl } from '@rideshare/schema';
import type mongoose from 'mongoose';
import { createSubgraphServer, envUrl, type Logger } from '@rideshare/common';
import { createOutboxLease, createRelayServer, readKafkaConfig } from '@rideshare/events';
import { createContext } from './context';
import { readLifecycleConfig } from './lifecycle/config';
import { startOutboxRelay } from './lifecycle/outbox-relay';
import { tripModels } from './models';
import { passengerDirectory } from './passengers';
import { resolvers } from './resolvers';
import { watchTripStatuses } from './trip-metrics';

export const typeDefs = readSdl('trips');

/** The trips service's settings; its index reads them before anything connects. */
export function readTripsServerConfig(env: NodeJS.ProcessEnv = process.env) {
  return {
    lifecycle: readLifecycleConfig(env),
    passengersUrl: envUrl('PASSENGERS_URL', 'http://127.0.0.1:4002/graphql', ['http:', 'https:'], env),
    kafka: readKafkaConfig(env),
  };
}

/** Builds the trips subgraph and its outbox relay on an open database connection. Does not listen. */
export async function createTripsServer(
  connection: mongoose.Connection,
  log: Logger,
  config = readTripsServerConfig(),
) {
  const models = tripModels(connection);
  await Promise.all([models.Trips.init(), models.DriverAssignments.init(), models.TripFacts.init()]);
  const { lifecycle } = config;
  const passengers = passengerDirectory(config.passengersUrl);
  const server = await createRelayServer({
    clientId: 'rideshare-trips',
    log,
    kafka: config.kafka,
    startRelay: (producer) =>
      startOutboxRelay(
        models,
        producer,
        log,
        lifecycle.outboxPollIntervalMs,
        config.kafka.topics,
        createOutboxLease(connection.collection('outbox_leases'), 'trips'),
      ),
    createServer: (relay) =>
      createSubgraphServer({
        name: 'trips',
        typeDefs,
        resolvers,
        connection,
        log,
        context: async (identity) => createContext(models, passengers, lifecycle, relay.nudge, identity),
      }),
  });
  const unwatch = watchTripStatuses(models); // trips by status on /metrics
  return {
    ...server,
    async close() {
      unwatch();
      await server.close();
    },
  };
}
