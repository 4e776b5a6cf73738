import crypto from 'node:crypto';
import type mongoose from 'mongoose';
import { connectDatabase, readInfraConfig } from '@rideshare/common';
import { createOutboxLease } from '../src/outbox-lease';

// On the real database: FerretDB's findOneAndUpdate is not atomic (STACK-NOTES), its unique inserts
// are; the lease must hold with many replicas racing for every term.
describe('the outbox lease on the database', () => {
  let connection: mongoose.Connection;

  beforeAll(async () => {
    connection = await connectDatabase(
      readInfraConfig().mongoUrl,
      `t${crypto.randomBytes(4).toString('hex')}_lease`,
    );
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('should give each term to exactly one of eight replicas racing for it', async () => {
    const collection = connection.collection<{ _id: string; owner: string; at: Date }>('outbox_leases');
    let clock = 0;
    const replicas = Array.from({ length: 8 }, () =>
      createOutboxLease(collection, 'trips', { termMs: 1_000, marginMs: 200, now: () => clock }),
    );
    const holdersPerStep: number[] = [];
    // Steps of 100 ms: the holder passes inside each term's last 200 ms, where it claims the next.
    for (; clock < 6_000; clock += 100) {
      const held = await Promise.all(replicas.map((r) => r.held()));
      holdersPerStep.push(held.filter(Boolean).length);
    }
    expect(holdersPerStep).toEqual(Array(holdersPerStep.length).fill(1));
    const terms = await collection.find({}).toArray();
    // The holder of the first term kept every term after it.
    expect(new Set(terms.map((t) => t.owner)).size).toBe(1);
  });
});
