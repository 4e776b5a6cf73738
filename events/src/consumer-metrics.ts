import type { Admin, Kafka } from 'kafkajs';
import { counter, scrapedGauge, type GaugeSample } from '@rideshare/common';

// Labelled by the Kafka names (namespace included): what `kafka-consumer-groups.sh` shows.
const labelNames = ['group', 'topic'] as const;

/** Counters each replica keeps for its own share of the partitions: aggregate with sum. */
export const consumerCounters = {
  handled: counter({
    name: 'kafka_consumer_messages_handled_total',
    help: 'Messages whose handler succeeded (redeliveries included: handlers are idempotent).',
    labelNames,
  }),
  retries: counter({
    name: 'kafka_consumer_retries_total',
    help: 'Attempts at a message that failed transiently and were tried again.',
    labelNames,
  }),
  deadLettered: counter({
    name: 'kafka_consumer_dead_lettered_total',
    help: 'Messages sent to the dead-letter topic, by cause (invalid: did not parse; permanent: the handler failed for good).',
    labelNames: [...labelNames, 'cause'],
  }),
};

const lag = scrapedGauge({
  name: 'kafka_consumer_lag',
  help:
    'Messages not yet committed by the group: topic end offset minus the group committed offset, per partition, read at scrape time. ' +
    'Every member reports the whole group, so aggregate with max by (group, topic, partition).',
  labelNames: ['group', 'topic', 'partition'],
});

export interface PartitionEnd {
  partition: number;
  high: string;
  low: string;
}

export interface PartitionCommit {
  partition: number;
  offset: string;
}

/**
 * Lag per partition: the end offset minus the committed one. A partition the group never committed
 * counts from the oldest retained message (where a group that reads from the beginning starts).
 */
export function partitionLag(ends: PartitionEnd[], committed: PartitionCommit[]): Map<number, number> {
  const at = new Map(committed.map((c) => [c.partition, Number(c.offset)]));
  const lags = new Map<number, number>();
  for (const end of ends) {
    const offset = at.get(end.partition) ?? -1;
    const from = offset >= 0 ? offset : Number(end.low);
    lags.set(end.partition, Math.max(0, Number(end.high) - from));
  }
  return lags;
}

/**
 * Reports the group's lag on the topic while the consumer runs, through one admin client of the
 * consumer's own Kafka client, connected at the first scrape and kept. Returns the stop.
 */
export function watchConsumerLag(client: Kafka, group: string, topic: string): () => Promise<void> {
  let admin: Promise<Admin> | undefined;
  const connected = () => {
    admin ??= (async () => {
      const created = client.admin();
      await created.connect();
      return created;
    })();
    return admin;
  };
  const read = async (): Promise<Array<GaugeSample<'group' | 'topic' | 'partition'>>> => {
    try {
      const a = await connected();
      const [ends, [offsets]] = await Promise.all([
        a.fetchTopicOffsets(topic),
        a.fetchOffsets({ groupId: group, topics: [topic] }),
      ]);
      return [...partitionLag(ends, offsets?.partitions ?? [])].map(([partition, value]) => ({
        labels: { group, topic, partition },
        value,
      }));
    } catch (err) {
      // A broken connection is made anew at the next scrape.
      const failed = admin;
      admin = undefined;
      void failed?.then((a) => a.disconnect()).catch(() => undefined);
      throw err;
    }
  };
  const remove = lag.addSource(read);
  return async () => {
    remove();
    const current = admin;
    admin = undefined;
    await current?.then((a) => a.disconnect()).catch(() => undefined);
  };
}
