import crypto from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import type mongoose from 'mongoose';
import { connectDatabase, createLogger, readInfraConfig } from '@rideshare/common';
import { createProducer, ensureTopics, parseTripEvent, TOPICS } from '@rideshare/events';
import { waitFor } from '../../../tools/stack/src/testing';
import { testKafka } from '../../../tools/stack/src/trip-testing';
import { startOutboxRelay, type OutboxRelay } from '../src/lifecycle/outbox-relay';
import { addOutboxPointer, changeTrip, insertRequestedTrip } from '../src/lifecycle/store';
import { tripModels, type TripEventLogRecord, type TripModels } from '../src/models';
import { requestedTrip } from './trip-records';

const noNudge = () => undefined;
const log = createLogger('outbox-relay-test', 'error');

/** Logs versions 2..4 of a new trip (offer, assignment, abort) through the store, as the services do. */
async function tripWithFourVersions(models: TripModels, code: string) {
  await insertRequestedTrip(models, requestedTrip(code), noNudge);
  const changes = [
    {
      event: 'DRIVERS_NOTIFIED' as const,
      driverCodes: ['D1'],
      acceptDeadline: new Date(Date.now() + 60_000),
    },
    { event: 'DRIVER_ASSIGNED' as const, driverCode: 'D1', nextMonitorAt: new Date(Date.now() + 60_000) },
    { event: 'TRIP_ABORTED' as const, reason: 'test' },
  ];
  for (const change of changes) {
    const result = await changeTrip(models, code, () => change, noNudge);
    if (!result?.ok) throw new Error(`could not apply ${change.event}`);
  }
}

/**
 * The relay reads pointers from the small `trip_outbox` collection and walks back to earlier
 * unpublished versions; writers add the pointer before claiming (real Kafka and FerretDB).
 */
describe('outbox relay', () => {
  let connection: mongoose.Connection;
  let models: TripModels;
  let producer: Producer;
  let consumer: Consumer;
  let relay: OutboxRelay | undefined;
  /** Versions published per trip code of this test, in the order Kafka delivered them. */
  const published = new Map<string, number[]>();

  beforeAll(async () => {
    connection = await connectDatabase(
      readInfraConfig().mongoUrl,
      `t${crypto.randomBytes(4).toString('hex')}_trips`,
    );
    models = tripModels(connection);
    await Promise.all([models.Trips.init(), models.TripEventLog.init(), models.TripOutbox.init()]);
    const kafka = testKafka('outbox-relay-test');
    await ensureTopics(kafka);
    producer = await createProducer(kafka);
    // Read only what is published from now on.
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(TOPICS.tripEvents);
    await admin.disconnect();
    consumer = kafka.consumer({ groupId: `outbox-relay-test-${crypto.randomBytes(4).toString('hex')}` });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.tripEvents });
    await consumer.run({
      eachMessage: ({ message }) => {
        const event = parseTripEvent(message.value);
        const code = event.data.trip.code;
        if (code.startsWith('OBX')) published.set(code, [...(published.get(code) ?? []), event.data.version]);
        return Promise.resolve();
      },
    });
    for (const o of offsets)
      consumer.seek({ topic: TOPICS.tripEvents, partition: o.partition, offset: o.offset });
  });

  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await connection?.dropDatabase();
    await connection?.close();
  });

  it('should publish a trip whose middle pointer was lost, every version once and in order', async () => {
    const code = `OBX${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
    await tripWithFourVersions(models, code);
    // Version 3 lost its pointer: the relay took it for an orphan mid-claim and the writer died before checking.
    await models.TripOutbox.deleteOne({ _id: `${code}:3` }).exec();

    relay = startOutboxRelay(models, producer, log, 50, 60_000);

    await waitFor(() => (published.get(code)?.length ?? 0) >= 4, {
      timeoutMs: 20_000,
      what: `${code} published`,
    });
    expect(published.get(code)).toEqual([1, 2, 3, 4]);
    // The relay marks and removes pointers after sending: wait for that too.
    await waitFor(async () => (await models.TripOutbox.countDocuments({ code })) === 0, {
      what: `${code} pointers removed`,
    });
    const logged = await models.TripEventLog.find({ code }).sort({ version: 1 }).lean().exec();
    expect(logged.map((e) => e.published)).toEqual([true, true, true, true]);
  });

  it('should drop a pointer whose writer died before claiming its version, once it is old enough', async () => {
    const code = `OBX${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
    await tripWithFourVersions(models, code);
    // A writer pointed at version 5, then died before inserting it.
    await addOutboxPointer(models, {
      _id: `${code}:5`,
      code,
      version: 5,
      createdAt: new Date(Date.now() - 1_000),
    });

    relay = startOutboxRelay(models, producer, log, 50, 500);

    await waitFor(() => (published.get(code)?.length ?? 0) >= 4, {
      timeoutMs: 20_000,
      what: `${code} published`,
    });
    await waitFor(async () => (await models.TripOutbox.countDocuments({ code })) === 0, {
      what: `${code} orphan pointer dropped`,
    });
    expect(published.get(code)).toEqual([1, 2, 3, 4]);
  });

  it('should keep a young pointer whose entry is not there yet, and publish the entry once it is', async () => {
    const code = `OBX${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
    relay = startOutboxRelay(models, producer, log, 50, 60_000);
    // The relay runs between a writer's pointer and its claim: the pointer must survive.
    const TripEventLog = new Proxy(models.TripEventLog, {
      get: (target, property, receiver) =>
        property === 'create'
          ? async (doc: TripEventLogRecord) => {
              await relay?.flush();
              await relay?.flush();
              return target.create(doc);
            }
          : (Reflect.get(target, property, receiver) as unknown),
    });

    await insertRequestedTrip({ ...models, TripEventLog }, requestedTrip(code), noNudge);

    await waitFor(() => (published.get(code)?.length ?? 0) >= 1, {
      timeoutMs: 20_000,
      what: `${code} published`,
    });
    expect(published.get(code)).toEqual([1]);
  });

  it('should put back a pointer the relay dropped while the claim was in flight', async () => {
    const code = `OBX${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
    // The relay dropped the pointer (it looked orphaned) just before the entry was inserted.
    const TripEventLog = new Proxy(models.TripEventLog, {
      get: (target, property, receiver) =>
        property === 'create'
          ? async (doc: TripEventLogRecord) => {
              await models.TripOutbox.deleteOne({ _id: doc._id }).exec();
              return target.create(doc);
            }
          : (Reflect.get(target, property, receiver) as unknown),
    });

    await insertRequestedTrip({ ...models, TripEventLog }, requestedTrip(code), noNudge);

    expect(await models.TripOutbox.exists({ _id: `${code}:1` })).not.toBeNull();
    relay = startOutboxRelay(models, producer, log, 50, 60_000);
    await waitFor(() => (published.get(code)?.length ?? 0) >= 1, {
      timeoutMs: 20_000,
      what: `${code} published`,
    });
    expect(published.get(code)).toEqual([1]);
  });
});
