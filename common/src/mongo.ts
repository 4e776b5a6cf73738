import mongoose from 'mongoose';

/**
 * Opens a connection to one service's own database. Each service owns a database and never
 * reads another's collections. `autoIndex` stays on: indexes are part of each model's contract.
 */
export async function connectDatabase(mongoUrl: string, dbName: string): Promise<mongoose.Connection> {
  const conn = mongoose.createConnection(mongoUrl, {
    dbName,
    serverSelectionTimeoutMS: 10_000,
    maxPoolSize: 20,
  });
  await conn.asPromise();
  return conn;
}

/**
 * Reads documents by `_id`, one point lookup each, in parallel. FerretDB 1.x pushes equality down to
 * its database but not `$in`: `{ _id: { $in } }` would read and decode the whole collection. Missing
 * ids map to null.
 */
export async function findByIds<T extends { _id: string }>(
  model: mongoose.Model<T>,
  ids: readonly string[],
): Promise<Array<T | null>> {
  return Promise.all(ids.map((id) => model.findById(id).lean<T>().exec()));
}
