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

/**
 * `{ field: { $in: values } }` asked as one query per value, results concatenated in the order of
 * `values`. FerretDB pushes an equality on a top-level field down to its database (and its index), but
 * not `$in`, which reads and decodes the whole collection.
 */
export async function findForEach<V, T>(
  values: readonly V[],
  find: (value: V) => Promise<T[]>,
): Promise<T[]> {
  return (await Promise.all(values.map(find))).flat();
}
