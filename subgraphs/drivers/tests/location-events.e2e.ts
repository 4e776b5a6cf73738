import crypto from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import type mongoose from 'mongoose';
import { connectDatabase, createLogger, readInfraConfig, type LatLon } from '@rideshare/common';
import {
  createProducer,
  ensureTopics,
  parseDriverEvent,
  readKafkaConfig,
  type OutboxRelay,
} from '@rideshare/events';
import { testKafka, waitFor } from '@rideshare/testing';
import { startLocationRelay } from '../src/location-relay';
import { driverModels, type DriverModels, type DriverRecord } from '../src/models';
import { createDriverStorage, type DriverStorage } from '../src/storage';
import { adaMoves } from './driver-operations';

const log = createLogger('location-events-test', 'error');
const { topics } = readKafkaConfig();

/**
 * A driver's moves reach the driver-events topic through the change log's outbox: once each, in
 * version order, whatever the relay went through (real Kafka and the real MongoDB-protocol server).
 */
describe('driver location events', () => {
  let connection: mongoose.Connection;
  let models: DriverModels;
  let producer: Producer;
  let consumer: Consumer;
  const relays: OutboxRelay[] = [];
  /** What the topic carried per driver of this test, in the order Kafka delivered it. */
  const published = new Map<string, Array<{ version: number; location: LatLon }>>();
  /** Drivers whose event was not keyed by their code (each driver's events must share a partition). */
  const wrongKeys: string[] = [];

  const startRelay = () => {
    const relay = startLocationRelay(models, producer, log, 50, topics);
    relays.push(relay);
    return relay;
  };
  const newDriver = async (storage: DriverStorage) => {
    const code = `LOC${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
    const created = await storage.createDriver(adaMoves(code, true));
    if (!created) throw new Error(`driver ${code} exists`);
    return code;
  };
  const at = (i: number): LatLon => ({ latitude: 47.6 + i / 1000, longitude: -122.3 });
  const move = async (storage: DriverStorage, code: string, i: number): Promise<DriverRecord> => {
    const driver = await storage.updateDriver(code, { location: at(i) });
    if (!driver) throw new Error(`driver ${code} is gone`);
    return driver;
  };
  const seen = (code: string) => published.get(code) ?? [];
  const pendingOf = async (code: string) =>
    (await models.DriverChanges.find({ key: code, published: false }).lean().exec()).length;

  beforeAll(async () => {
    connection = await connectDatabase(
      readInfraConfig().mongoUrl,
      `t${crypto.randomBytes(4).toString('hex')}_drivers`,
    );
    models = driverModels(connection);
    await Promise.all([models.Drivers.init(), models.DriverChanges.init()]);
    const kafka = testKafka('location-events-test');
    await ensureTopics(kafka);
    producer = await createProducer(kafka);
    // Read only what is published from now on.
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topics.driverEvents);
    await admin.disconnect();
    consumer = kafka.consumer({ groupId: `location-events-test-${crypto.randomBytes(4).toString('hex')}` });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.driverEvents });
    await consumer.run({
      eachMessage: ({ message }) => {
        const { data } = parseDriverEvent(message.value);
        if (message.key?.toString() !== data.code) wrongKeys.push(data.code);
        if (data.code.startsWith('LOC'))
          published.set(data.code, [...seen(data.code), { version: data.version, location: data.location }]);
        return Promise.resolve();
      },
    });
    for (const o of offsets)
      consumer.seek({ topic: topics.driverEvents, partition: o.partition, offset: o.offset });
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await connection?.dropDatabase();
    await connection?.close();
  });

  it("should publish each of a driver's moves once, in version order, and nothing else the driver did", async () => {
    const relay = startRelay();
    const storage = createDriverStorage(models, relay.nudge);
    const code = await newDriver(storage);
    const versions: number[] = [];
    for (let i = 1; i <= 5; i++) {
      versions.push((await move(storage, code, i)).version ?? 0);
      // An availability change claims a version too, but is not a move.
      if (i === 2) await storage.updateDriver(code, { isAcceptingRides: false });
    }
    expect(versions).toEqual([1, 2, 4, 5, 6]);

    await waitFor(() => seen(code).length >= 5, { timeoutMs: 20_000, what: `${code}'s moves published` });
    await waitFor(async () => (await pendingOf(code)) === 0, { what: `${code}'s moves marked published` });
    await relay.flush();
    await new Promise((r) => setTimeout(r, 500)); // a second copy would have arrived by now
    expect(seen(code)).toEqual(versions.map((version, i) => ({ version, location: at(i + 1) })));
    expect(wrongKeys).toEqual([]);
  });

  it('should publish moves committed while no relay ran, once the relay is back', async () => {
    const first = startRelay();
    const code = await newDriver(createDriverStorage(models, first.nudge));
    await move(createDriverStorage(models, first.nudge), code, 1);
    await waitFor(() => seen(code).length >= 1, { timeoutMs: 20_000, what: `${code}'s first move` });
    await first.stop();

    // The service died after committing these, before its relay sent them.
    const unrelayed = createDriverStorage(models);
    for (let i = 2; i <= 4; i++) await move(unrelayed, code, i);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen(code).map((e) => e.version)).toEqual([1]);
    expect(await pendingOf(code)).toBe(3);

    startRelay();
    await waitFor(() => seen(code).length >= 4, { timeoutMs: 20_000, what: `${code}'s later moves` });
    await waitFor(async () => (await pendingOf(code)) === 0, { what: `${code}'s moves marked published` });
    await new Promise((r) => setTimeout(r, 300));
    expect(seen(code).map((e) => e.version)).toEqual([1, 2, 3, 4]);
  });

  it('should publish a move whose writer died before projecting it, and catch the driver up', async () => {
    const storage = createDriverStorage(models);
    const code = await newDriver(storage);
    // What a writer leaves when it dies between claiming the move and writing the driver document.
    await models.DriverChanges.create({
      _id: `${code}:1`,
      key: code,
      version: 1,
      set: { location: at(9), updatedAt: new Date() },
      createdAt: new Date(),
      published: false,
    });
    expect((await models.Drivers.findById(code).lean<DriverRecord>().exec())?.version).toBe(0);

    startRelay();
    await waitFor(() => seen(code).length >= 1, { timeoutMs: 20_000, what: `${code}'s move` });
    expect(seen(code)).toEqual([{ version: 1, location: at(9) }]);
    await waitFor(
      async () => (await models.Drivers.findById(code).lean<DriverRecord>().exec())?.version === 1,
      {
        what: `${code} caught up`,
      },
    );
  });
});
