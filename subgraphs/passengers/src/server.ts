import type mongoose from 'mongoose';
import { createSubgraphServer, type Logger } from '@rideshare/common';
import { readSdl } from '@rideshare/schema';
import { createContext } from './context';
import { passengerModels } from './models';
import { resolvers } from './resolvers';

export const typeDefs = readSdl('passengers');

/** Builds the passengers subgraph on an open database connection. Does not listen. */
export async function createPassengersServer(connection: mongoose.Connection, log: Logger) {
  const models = passengerModels(connection);
  await models.Passengers.init();
  return createSubgraphServer({
    name: 'passengers',
    typeDefs,
    resolvers,
    connection,
    log,
    context: async (identity) => createContext(models, identity),
  });
}
