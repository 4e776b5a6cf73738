import fs from 'node:fs';
import path from 'node:path';
import type mongoose from 'mongoose';
import { createSubgraphServer, type Logger } from '@rideshare/common';
import { createContext } from './context';
import { passengerModels } from './models';
import { resolvers } from './resolvers';

export const typeDefs = fs.readFileSync(path.join(__dirname, 'schema.graphql'), 'utf8');

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
