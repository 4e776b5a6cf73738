import fs from 'node:fs';
import path from 'node:path';
import type mongoose from 'mongoose';
import { createSubgraphServer, type Logger } from '@rideshare/common';
import { createContext } from './context';
import { driverModels } from './models';
import { resolvers } from './resolvers';
import { createDriverStorage } from './storage';

export const typeDefs = fs.readFileSync(path.join(__dirname, 'schema.graphql'), 'utf8');

/** Builds the drivers subgraph on an open database connection. Does not listen. */
export async function createDriversServer(connection: mongoose.Connection, log: Logger) {
  const models = driverModels(connection);
  await Promise.all([models.Drivers.init(), models.DriverChanges.init(), models.DriverLocations.init()]);
  const storage = createDriverStorage(models);
  return createSubgraphServer({
    name: 'drivers',
    typeDefs,
    resolvers,
    connection,
    log,
    context: async (identity) => createContext(storage, identity),
  });
}
