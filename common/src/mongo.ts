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
