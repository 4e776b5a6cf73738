import type { Producer } from 'kafkajs';
import type { Logger } from '@rideshare/common';
import { createKafka, createProducer, ensureTopics, type KafkaConfig } from './kafka';
import type { OutboxRelay } from './outbox-relay';

export interface RelayServerOptions<S> {
  /** The Kafka client id of the service, e.g. `rideshare-trips`. */
  clientId: string;
  /** Read with the service's settings, before anything connected. */
  kafka: KafkaConfig;
  log: Logger;
  /** Starts the service's outbox relay on the producer. */
  startRelay: (producer: Producer) => OutboxRelay;
  /** Builds the server, whose writes nudge the relay. */
  createServer: (relay: OutboxRelay) => Promise<S>;
}

/**
 * A server that owns an outbox: the relay lives with the service that commits the changes, on its own
 * producer (topics ensured first). Closing it stops taking requests (in-flight ones finish), then the
 * relay (whatever is still pending is sent by the next start), then the producer.
 */
export async function createRelayServer<S extends { close(): Promise<void> }>(
  opts: RelayServerOptions<S>,
): Promise<S> {
  const kafka = createKafka(opts.clientId, opts.kafka.brokers, opts.log);
  await ensureTopics(kafka, opts.kafka);
  const producer = await createProducer(kafka);
  const relay = opts.startRelay(producer);
  const server = await opts.createServer(relay);
  return {
    ...server,
    async close() {
      await server.close();
      await relay.stop();
      await producer.disconnect();
    },
  };
}
