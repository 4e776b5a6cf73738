import crypto from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import type mongoose from 'mongoose';
import { connectDatabase, createLogger, readInfraConfig } from '@rideshare/common';
import { createProducer, ensureTopics, parseTripEvent, readKafkaConfig } from '@rideshare/events';
import { testKafka, waitFor } from '@rideshare/testing';
import { startOutboxRelay, type OutboxRelay } from '../src/lifecycle/outbox-relay';
import { changeTrip, insertRequestedTrip } from '../src/lifecycle/store';
import { tripModels, type TripModels } from '../src/models';
import { requestedTrip } from './trip-records';

const noNudge = () => undefined;
const log = createLogger('outbox-relay-test', 'error');
const { topics } = readKafkaConfig();

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
 * The relay polls the log's unpublished entries (an indexed equality) and sends them in version order
 * per trip (real Kafka and the real MongoDB-protocol server).
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
    await Promise.all([models.Trips.init(), models.TripEventLog.init()]);
    const kafka = testKafka('outbox-relay-test');
    await ensureTopics(kafka);
    producer = await createProducer(kafka);
    // Read only what is published from now on.
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topics.tripEvents);
    await admin.disconnect();
    consumer = kafka.consumer({ groupId: `outbox-relay-test-${crypto.randomBytes(4).toString('hex')}` });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.tripEvents });
    await consumer.run({
      eachMessage: ({ message }) => {
        const event = parseTripEvent(message.value);
        const code = event.data.trip.code;
        if (code.startsWith('OBX')) published.set(code, [...(published.get(code) ?? []), event.data.version]);
        return Promise.resolve();
      },
    });
    for (const o of offsets)
      consumer.seek({ topic: topics.tripEvents, partition: o.partition, offset: o.offset });
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

  const newCode = () => `OBX${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
  const publishedFlags = async (code: string) =>
    (await models.TripEventLog.find({ code }).lean().exec())
      .sort((a, b) => a.version - b.version)
      .map((e) => e.published);

  it('should publish every version of a trip once and in order, then mark them published', async () => {
    const code = newCode();
    await tripWithFourVersions(models, code);

    relay = startOutboxRelay(models, producer, log, 50, topics);

    await waitFor(() => (published.get(code)?.length ?? 0) >= 4, {
      timeoutMs: 20_000,
      what: `${code} published`,
    });
    await waitFor(async () => (await publishedFlags(code)).every(Boolean), { what: `${code} marked` });
    await relay.flush();
    expect(published.get(code)).toEqual([1, 2, 3, 4]);
  });

  it('should keep per-trip order when two relays (replicas) publish the same log', async () => {
    const codes = [newCode(), newCode(), newCode()];
    const second = startOutboxRelay(models, producer, log, 20, topics);
    relay = startOutboxRelay(models, producer, log, 20, topics);
    try {
      await Promise.all(codes.map((code) => tripWithFourVersions(models, code)));
      await waitFor(async () => (await Promise.all(codes.map(publishedFlags))).flat().every(Boolean), {
        timeoutMs: 20_000,
        what: 'every entry marked published',
      });
    } finally {
      await second.stop();
    }
    await waitFor(() => codes.every((c) => published.get(c)?.includes(4)), { what: 'last versions seen' });
    for (const code of codes) {
      // A copy may arrive twice (consumers drop it by its event id), but a first copy never comes early.
      const seen = published.get(code) ?? [];
      const firstSeen = seen.filter((v, i) => seen.indexOf(v) === i);
      expect({ code, firstSeen }).toEqual({ code, firstSeen: [1, 2, 3, 4] });
    }
  });

  it('should publish an entry whose writer died before projecting it, and catch the trip up', async () => {
    const code = newCode();
    await insertRequestedTrip(models, requestedTrip(code), noNudge);
    // The writer logged version 2, then died before writing it onto the trip document.
    const Trips = new Proxy(models.Trips, {
      get: (target, property, receiver) =>
        property === 'updateOne'
          ? () => ({ exec: () => Promise.reject(new Error('writer died')) })
          : (Reflect.get(target, property, receiver) as unknown),
    });
    const offer = {
      event: 'DRIVERS_NOTIFIED' as const,
      driverCodes: ['D1'],
      acceptDeadline: new Date(Date.now() + 60_000),
    };
    await expect(changeTrip({ ...models, Trips }, code, () => offer, noNudge)).rejects.toThrow('writer died');
    expect((await models.Trips.findById(code).lean().exec())?.version).toBe(1);

    relay = startOutboxRelay(models, producer, log, 50, topics);

    await waitFor(() => (published.get(code)?.length ?? 0) >= 2, {
      timeoutMs: 20_000,
      what: `${code} published`,
    });
    expect(published.get(code)).toEqual([1, 2]);
    await waitFor(async () => (await models.Trips.findById(code).lean().exec())?.version === 2, {
      what: `${code} caught up`,
    });
  });
});
