import { MongoClient } from 'mongodb';
async function main() {
  const c = new MongoClient('mongodb://127.0.0.1:38317'); await c.connect();
  const db = c.db(process.argv[2] + '_trips');
  const trips = await db.collection<{ status: string; requestedAt: Date; version: number }>('trips').find({}, { projection: { status: 1, requestedAt: 1, version: 1 } }).toArray();
  const by: Record<string, number> = {};
  for (const t of trips) by[t.status] = (by[t.status] ?? 0) + 1;
  console.log(trips.length, by, 'max version', Math.max(...trips.map(t=>t.version)));
  const last = trips.map(t=>new Date(t.requestedAt).getTime()).sort().reverse()[0];
  console.log('last requested', new Date(last!).toISOString(), 'now', new Date().toISOString());
  await c.close();
}
void main();
