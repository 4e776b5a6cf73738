import crypto from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import type mongoose from 'mongoose';
import { connectDatabase, createLogger, readInfraConfig } from '@rideshare/common';
import { createProducer, ensureTopics, parseTripEvent, TOPICS } from '@rideshare/events';
import { waitFor } from '../../../tools/stack/src/testing';
import { testKafka } from '../../../tools/stack/src/trip-testing';
import { startOutboxRelay, type OutboxRelay } from '../src/lifecycle/outbox-relay';
import { changeTrip, insertRequestedTrip } from '../src/lifecycle/store';
import { tripModels, type TripModels } from '../src/models';
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
 * The relay reads pointers from the small `trip_outbox` collection, walks back to earlier unpublished
 * versions, and a periodic sweep of the log recreates pointers a crash lost (real Kafka and FerretDB).
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
    // A writer died between logging version 3 and writing its pointer.
    await models.TripOutbox.deleteOne({ _id: `${code}:3` }).exec();

    relay = startOutboxRelay(models, producer, log, 50, 3_600_000);

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

  it('should publish, through the sweep, the last event of a trip whose pointer was lost', async () => {
    const code = `OBX${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
    await tripWithFourVersions(models, code);
    // Nothing points at version 4, and walking back from version 3 never reaches it: only the sweep can.
    await models.TripOutbox.deleteOne({ _id: `${code}:4` }).exec();

    relay = startOutboxRelay(models, producer, log, 50, 3_600_000); // sweeps once, at start

    await waitFor(() => (published.get(code)?.length ?? 0) >= 4, {
      timeoutMs: 20_000,
      what: `${code} published`,
    });
    expect(published.get(code)).toEqual([1, 2, 3, 4]);
  });
});
