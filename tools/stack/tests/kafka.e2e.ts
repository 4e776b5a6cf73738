import crypto from 'node:crypto';
import { Kafka, logLevel, type Consumer, type Producer, type Admin } from 'kafkajs';
import { readInfraConfig } from '@rideshare/common';

const kafka = new Kafka({
  clientId: 'stack-kafka-test',
  brokers: readInfraConfig().kafkaBrokers,
  logLevel: logLevel.NOTHING,
});

/** Consumes until `count` messages arrived, committing each one, then disconnects. */
async function consume(
  groupId: string,
  topic: string,
  count: number,
): Promise<Array<{ key: string; value: string }>> {
  const consumer: Consumer = kafka.consumer({ groupId });
  const seen: Array<{ key: string; value: string }> = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ message, partition }) => {
          seen.push({ key: String(message.key), value: String(message.value) });
          await consumer.commitOffsets([
            { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
          ]);
          if (seen.length === count) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return seen;
}

describe('Kafka (real broker) with kafkajs', () => {
  let admin: Admin;
  let producer: Producer;
  const topic = `test.stack.${crypto.randomUUID()}`;
  const groupId = `group-${crypto.randomUUID()}`;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('should create a topic, consume keyed messages in a group and resume after the last commit', async () => {
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(
      true,
    );
    const first = Array.from({ length: 12 }, (_, i) => ({ key: `trip-${i % 4}`, value: `event-${i}` }));
    await producer.send({ topic, messages: first });

    const firstRun = await consume(groupId, topic, first.length);
    expect(firstRun.map((m) => m.value).sort()).toEqual(first.map((m) => m.value).sort());
    // Keyed messages keep their order per key.
    for (const key of ['trip-0', 'trip-1', 'trip-2', 'trip-3']) {
      const values = firstRun.filter((m) => m.key === key).map((m) => Number(m.value.split('-')[1]));
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }

    const second = [
      { key: 'trip-0', value: 'event-12' },
      { key: 'trip-5', value: 'event-13' },
    ];
    await producer.send({ topic, messages: second });
    // A restarted consumer in the same group sees only what came after its last commit.
    const secondRun = await consume(groupId, topic, second.length);
    expect(secondRun.map((m) => m.value).sort()).toEqual(['event-12', 'event-13']);
  });
});
