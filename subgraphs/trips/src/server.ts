import fs from 'node:fs';
import path from 'node:path';
import type mongoose from 'mongoose';
import { createSubgraphServer, envUrl, type Logger } from '@rideshare/common';
import { createContext } from './context';
import { tripModels } from './models';
import { passengerDirectory } from './passengers';
import { resolvers } from './resolvers';

export const typeDefs = fs.readFileSync(path.join(__dirname, 'schema.graphql'), 'utf8');

/** Builds the trips subgraph on an open database connection. Does not listen. */
export async function createTripsServer(connection: mongoose.Connection, log: Logger) {
  const models = tripModels(connection);
  await models.Trips.init();
  const passengers = passengerDirectory(
    envUrl('PASSENGERS_URL', 'http://127.0.0.1:4002/graphql', ['http:', 'https:']),
  );
  return createSubgraphServer({
    name: 'trips',
    typeDefs,
    resolvers,
    connection,
    log,
    context: async () => createContext(models, passengers),
  });
}
