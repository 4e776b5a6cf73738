import crypto from 'node:crypto';
import mongoose from 'mongoose';
import { connectDatabase, isDuplicateKeyError, readInfraConfig } from '@rideshare/common';

interface Ride {
  code: string;
  driverCode: string | null;
  candidates: string[];
}

describe('mongoose on the MongoDB-protocol server', () => {
  let conn: mongoose.Connection;
  let Rides: mongoose.Model<Ride>;

  beforeAll(async () => {
    conn = await connectDatabase(
      readInfraConfig().mongoUrl,
      `test_stack_${crypto.randomBytes(4).toString('hex')}`,
    );
    const schema = new mongoose.Schema<Ride>({
      code: { type: String, required: true, unique: true },
      driverCode: { type: String, default: null },
      candidates: { type: [String], default: [] },
    });
    Rides = conn.model<Ride>('Ride', schema);
    await Rides.init();
  });

  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('should create documents and report a unique-index violation as a duplicate-key error', async () => {
    await Rides.create({ code: 'R1', candidates: ['D1', 'D2'] });
    const err: unknown = await Rides.create({ code: 'R1' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDuplicateKeyError(err)).toBe(true);
    expect(String(err)).toMatch(/duplicate key/i);
    expect(await Rides.countDocuments({ code: 'R1' })).toBe(1);
  });

  it('should apply a conditional findOneAndUpdate only while its condition holds', async () => {
    await Rides.create({ code: 'R2', candidates: ['D1', 'D2'] });
    const claim = (driver: string) =>
      Rides.findOneAndUpdate(
        { code: 'R2', driverCode: null, candidates: driver },
        { $set: { driverCode: driver } },
        { new: true },
      );
    expect((await claim('D1'))?.driverCode).toBe('D1');
    // The condition no longer holds: a later claim matches nothing and changes nothing.
    expect(await claim('D2')).toBeNull();
    expect((await Rides.findOne({ code: 'R2' }))?.driverCode).toBe('D1');
    // A driver who is not a candidate never matches.
    await Rides.create({ code: 'R3', candidates: ['D1'] });
    expect(await claim('D9')).toBeNull();
  });

  it('should let exactly one of many concurrent inserts claim a unique key', async () => {
    // "First accept wins" rests on this, not on concurrent conditional updates: FerretDB does not make
    // findOneAndUpdate atomic (two concurrent calls with the same condition can both match).
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => Rides.create({ code: 'CLAIM-R4', driverCode: `D${i}` })),
    );
    const winners = attempts.filter((a) => a.status === 'fulfilled');
    const losers = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers.every((l) => isDuplicateKeyError(l.reason))).toBe(true);
    expect(await Rides.countDocuments({ code: 'CLAIM-R4' })).toBe(1);
  });

  it('should look documents up with $in', async () => {
    await Rides.create([{ code: 'R10' }, { code: 'R11' }, { code: 'R12' }]);
    const found = await Rides.find({ code: { $in: ['R10', 'R12', 'missing'] } }).sort({ code: 1 });
    expect(found.map((r) => r.code)).toEqual(['R10', 'R12']);
  });
});
