import { EventEmitter } from 'node:events';
import type { Kafka, Producer } from 'kafkajs';
import { createLogger } from '@rideshare/common';
import { runEventConsumer } from '../src/consumer';
import { readKafkaConfig } from '../src/kafka';

/**
 * A stand-in for a kafkajs consumer, enough for the wrapper's life cycle: it records connect/run
 * calls and lets the test emit CRASH as kafkajs does (after it has disconnected the consumer).
 */
class FakeConsumer extends EventEmitter {
  readonly events = { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' };
  connects = 0;
  runs = 0;
  disconnects = 0;
  async connect() {
    this.connects++;
  }
  async subscribe() {}
  async run() {
    this.runs++;
  }
  async disconnect() {
    this.disconnects++;
  }
  crash(restart: boolean) {
    this.emit(this.events.CRASH, {
      payload: { error: new Error('Failed to find group coordinator'), restart },
    });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(consumer: FakeConsumer) {
  const client = { consumer: () => consumer } as unknown as Kafka;
  return runEventConsumer({
    kafka: { ...readKafkaConfig({}), client },
    producer: {} as Producer,
    topic: 'trip-events',
    deadLetterTopic: 'trip-events.dlq',
    groupId: 'archiver',
    log: createLogger('test', 'error'),
    parse: () => ({}),
    handle: async () => undefined,
  });
}

describe('a consumer that kafkajs ends for good', () => {
  it('should be connected and run again by the wrapper, and not after stop', async () => {
    const consumer = new FakeConsumer();
    const running = await start(consumer);
    expect([consumer.connects, consumer.runs]).toEqual([1, 1]);

    consumer.crash(false); // a non-retriable error: kafkajs itself will not restart it
    await sleep(700);
    expect([consumer.connects, consumer.runs]).toEqual([2, 2]);

    consumer.crash(true); // kafkajs restarts this one itself: the wrapper must not start a second run
    await sleep(700);
    expect([consumer.connects, consumer.runs]).toEqual([2, 2]);

    consumer.crash(false);
    await running.stop(); // stopping before the restart is due: nothing starts again
    await sleep(700);
    expect([consumer.connects, consumer.runs]).toEqual([2, 2]);
  });
});
