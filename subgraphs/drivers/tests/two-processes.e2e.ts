import crypto from 'node:crypto';
import type mongoose from 'mongoose';
import { connectDatabase, readInfraConfig, serviceSigner } from '@rideshare/common';
import { postGraphQL, startService, type RunningService } from '@rideshare/testing';
import { driverModels, type DriverDocument, type DriverModels } from '../src/models';
import { AVAILABILITY, MOVE, adaMoves } from './driver-operations';

describe('two drivers subgraph processes on one database', () => {
  // Two replicas share nothing but the database: an in-process lock could not serialize their writes.
  const dbName = `t${crypto.randomBytes(4).toString('hex')}_drivers`;
  const replicas: RunningService[] = [];
  let connection: mongoose.Connection;
  let models: DriverModels;
  const logs: string[] = [];

  const call = (replica: RunningService, query: string, variables: Record<string, unknown>) =>
    postGraphQL(replica.url, query, variables, serviceSigner('test'));
  const move = (replica: RunningService, code: string, location: { latitude: number; longitude: number }) =>
    call(replica, MOVE, { code, location });
  const setAvailability = (replica: RunningService, code: string, on: boolean) =>
    call(replica, AVAILABILITY, { code, on });
  const replica = (i: number) => {
    const r = replicas[i];
    if (!r) throw new Error(`replica ${i} did not start`);
    return r;
  };
  const createDriver = (code: string) =>
    // Written as old documents are, past mongoose's defaults: no version field (it counts as 0).
    connection
      .getClient()
      .db(dbName)
      .collection<DriverDocument>('drivers')
      .insertOne({ ...adaMoves(code, false), createdAt: new Date(), updatedAt: new Date() });
  const changesOf = (code: string) =>
    models.DriverChanges.find({ key: code }).sort({ version: 1 }).lean().exec();

  beforeAll(async () => {
    connection = await connectDatabase(readInfraConfig().mongoUrl, dbName);
    models = driverModels(connection);
    const env = { ...process.env, PORT: '0', MONGO_DB: dbName, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
    const entry = 'subgraphs/drivers/src/index.ts';
    for (const name of ['drivers-a', 'drivers-b']) {
      replicas.push(await startService(name, entry, env, (line) => logs.push(`[${name}] ${line}`)));
    }
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await connection.dropDatabase();
    await connection.close();
  });

  it('should keep every location update and availability change sent to different processes at once', async () => {
    const code = 'DRV-ROUNDS';
    await createDriver(code);
    const rounds = 25;
    for (let round = 1; round <= rounds; round++) {
      const location = { latitude: 47 + round / 1000, longitude: -122 };
      const on = round % 2 === 1;
      const results = await Promise.all([
        move(replica(0), code, location),
        setAvailability(replica(1), code, on),
      ]);
      expect(results.map((r) => r.errors)).toEqual([undefined, undefined]);
      const driver = await models.Drivers.findById(code).lean().exec();
      expect({ round, location: driver?.location, on: driver?.isAcceptingRides }).toEqual({
        round,
        location,
        on,
      });
    }

    const changes = await changesOf(code);
    // One entry per successful update, versions 1..2n with no gap, and the document at the last one.
    expect(changes.map((c) => c.version)).toEqual(Array.from({ length: 2 * rounds }, (_, i) => i + 1));
    expect(changes.filter((c) => c.set.location !== undefined)).toHaveLength(rounds);
    expect(changes.filter((c) => c.set.isAcceptingRides !== undefined)).toHaveLength(rounds);
    expect((await models.Drivers.findById(code).lean().exec())?.version).toBe(2 * rounds);
  });

  it('should log a burst of concurrent updates from both processes exactly once each and end at the last logged', async () => {
    const code = 'DRV-BURST';
    await createDriver(code);
    const perKind = 8;
    const locations = Array.from({ length: perKind }, (_, i) => ({ latitude: 10 + i, longitude: 20 + i }));
    const results = await Promise.all([
      ...locations.map((location, i) => move(replica(i % 2), code, location)),
      ...locations.map((_, i) => setAvailability(replica((i + 1) % 2), code, i % 2 === 0)),
    ]);
    expect(results.filter((r) => r.errors)).toEqual([]);

    const changes = await changesOf(code);
    expect(changes.map((c) => c.version)).toEqual(Array.from({ length: 2 * perKind }, (_, i) => i + 1));
    const logged = changes.flatMap((c) => (c.set.location ? [c.set.location] : []));
    expect([...logged].sort((a, b) => a.latitude - b.latitude)).toEqual(locations);
    const lastLocation = changes.filter((c) => c.set.location !== undefined).at(-1)?.set.location;
    const lastOn = changes.filter((c) => c.set.isAcceptingRides !== undefined).at(-1)?.set.isAcceptingRides;
    const driver = await models.Drivers.findById(code).lean().exec();
    expect({ version: driver?.version, location: driver?.location, on: driver?.isAcceptingRides }).toEqual({
      version: 2 * perKind,
      location: lastLocation,
      on: lastOn,
    });
  });
});
