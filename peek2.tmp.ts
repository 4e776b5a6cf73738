import { MongoClient } from 'mongodb';
async function main() {
  const c = new MongoClient('mongodb://127.0.0.1:38317'); await c.connect();
  const db = c.db(process.argv[2] + '_archive');
  for (const code of process.argv.slice(3)) {
    const log = await db.collection<{ _id: string; version: number; event: string; archivedAt: Date; envelope: { time: string } }>('trip_events').find({ tripCode: code }).toArray();
    for (const e of log.sort((a,b)=>a.version-b.version)) console.log(' ', code, e.version, e.event, e.envelope.time, 'archived', e.archivedAt.toISOString());
  }
  await c.close();
}
void main();
