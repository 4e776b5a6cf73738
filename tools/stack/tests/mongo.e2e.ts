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

  it('should let exactly one of two conditional findOneAndUpdate calls win', async () => {
    await Rides.create({ code: 'R2', candidates: ['D1', 'D2'] });
    const claim = (driver: string) =>
      Rides.findOneAndUpdate(
        { code: 'R2', driverCode: null, candidates: driver },
        { $set: { driverCode: driver } },
        { new: true },
      );
    const results = await Promise.all([claim('D1'), claim('D2')]);
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    expect((await Rides.findOne({ code: 'R2' }))?.driverCode).toBe(winners[0]?.driverCode);
    // A driver who is not a candidate never matches.
    await Rides.create({ code: 'R3', candidates: ['D1'] });
    expect(await claim('D9')).toBeNull();
  });

  it('should look documents up with $in', async () => {
    await Rides.create([{ code: 'R10' }, { code: 'R11' }, { code: 'R12' }]);
    const found = await Rides.find({ code: { $in: ['R10', 'R12', 'missing'] } }).sort({ code: 1 });
    expect(found.map((r) => r.code)).toEqual(['R10', 'R12']);
  });
});
