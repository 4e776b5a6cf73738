import crypto from 'node:crypto';
import http from 'node:http';
import type { Admin, Producer } from 'kafkajs';
import { z } from 'zod';
import { closeServer, createLogger, graphqlClient, listen, PermanentError } from '@rideshare/common';
import {
  kafkaNames,
  readDeadLetters,
  testKafka,
  tripSnapshot,
  waitFor,
  type DeadLetterReader,
} from '@rideshare/testing';
import { consumerGroupId, createTripEvent, parseTripEvent } from '../src/contracts';
import { runEventConsumer, type RunningConsumer } from '../src/consumer';
import { readKafkaConfig } from '../src/kafka';
import { AcceptTripDocument } from '../src/generated/simulator-operations';

const requestSchema = z.object({ variables: z.object({ code: z.string() }) });

/**
 * A stand-in gateway for acceptTrip: refuses trip REFUSED for good (CONFLICT), answers trip FLAKY
 * with two 503s (an HTML page, as a proxy would) before accepting, accepts every other trip.
 */
function stubGateway() {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const { variables } = requestSchema.parse(JSON.parse(body));
      requests.push(variables.code);
      const send = (status: number, reply: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply));
      };
      if (variables.code === 'REFUSED')
        return send(200, {
          data: null,
          errors: [{ message: 'Trip "REFUSED" is no longer open', extensions: { code: 'CONFLICT' } }],
        });
      if (variables.code === 'FLAKY' && requests.filter((c) => c === 'FLAKY').length <= 2) {
        res.writeHead(503, { 'content-type': 'text/html' });
        return res.end('<html>upstream unavailable</html>');
      }
      send(200, { data: { acceptTrip: { code: variables.code } } });
    });
  });
  return { server, requests };
}

describe('a consumer facing permanent and transient failures', () => {
  const kafka = testKafka('permanent-failure-test');
  const config = readKafkaConfig();
  const names = kafkaNames(`pf${crypto.randomBytes(4).toString('hex')}`);
  const groupId = names.group('permanent-failure');
  const gateway = stubGateway();
  const handled: string[] = [];
  let admin: Admin;
  let producer: Producer;
  let consumer: RunningConsumer | undefined;
  let reader: DeadLetterReader | undefined;

  beforeAll(async () => {
    const url = `http://127.0.0.1:${await listen(gateway.server, 0)}/graphql`;
    admin = kafka.admin();
    await admin.connect();
    // One partition: every message below waits behind the ones before it.
    await admin.createTopics({
      topics: [names.topic, names.deadLetterTopic].map((topic) => ({ topic, numPartitions: 1 })),
      waitForLeaders: true,
    });
    producer = kafka.producer();
    await producer.connect();
    const client = graphqlClient({ service: 'gateway', url, timeoutMs: 2_000 });
    consumer = await runEventConsumer({
      kafka: { ...config, client: kafka },
      producer,
      topic: names.topic,
      deadLetterTopic: names.deadLetterTopic,
      groupId,
      log: createLogger('permanent-failure-test', 'error'),
      parse: parseTripEvent,
      handle: async (event) => {
        const { code } = event.data.trip;
        if (code === 'UNUSABLE') throw new PermanentError(`trip ${code} cannot be handled`);
        await client.call(AcceptTripDocument, { code, driverCode: 'D1' });
        handled.push(code);
      },
    });
  });

  afterAll(async () => {
    await reader?.disconnect();
    await consumer?.stop();
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [names.topic, names.deadLetterTopic] }).catch(() => undefined);
    await admin?.disconnect();
    await closeServer(gateway.server);
  });

  it('should dead-letter permanent refusals, retry transient failures, and keep the partition moving', async () => {
    const codes = ['REFUSED', 'NEXT', 'UNUSABLE', 'FLAKY', 'LAST'];
    await producer.send({
      topic: names.topic,
      messages: codes.map((code) => ({
        key: 'same-key',
        value: JSON.stringify(
          createTripEvent('DRIVERS_NOTIFIED', tripSnapshot(code, { type: 'DEMO' }), 'test', new Date()),
        ),
      })),
    });

    await waitFor(() => handled.length === 3, {
      timeoutMs: 60_000,
      what: `3 handled messages (have ${handled.join(', ')})`,
    });
    expect(handled).toEqual(['NEXT', 'FLAKY', 'LAST']);
    // The refusal was asked once, not retried; the 503s were retried until the call went through.
    expect(gateway.requests).toEqual(['REFUSED', 'NEXT', 'FLAKY', 'FLAKY', 'FLAKY', 'LAST']);

    reader = await readDeadLetters(kafka, names);
    const { letters } = reader;
    await waitFor(() => letters.length >= 2, { timeoutMs: 30_000, what: '2 dead letters' });
    expect(letters.map(({ reason, source }) => ({ reason, source }))).toEqual([
      {
        reason: 'gateway AcceptTrip: Trip "REFUSED" is no longer open (CONFLICT)',
        source: `${names.topic}/0/0`,
      },
      { reason: 'trip UNUSABLE cannot be handled', source: `${names.topic}/0/2` },
    ]);
    expect(letters.map((l) => parseTripEvent(l.value).data.trip.code)).toEqual(['REFUSED', 'UNUSABLE']);
    expect(letters.every((l) => l.key === 'same-key')).toBe(true);

    // Everything is committed: a restart would not redeliver the refused message.
    await waitFor(
      async () => {
        const [committed] = await admin.fetchOffsets({
          groupId: consumerGroupId(config.namespace, groupId), // as the consumer names its group
          topics: [names.topic],
        });
        return committed?.partitions[0]?.offset === String(codes.length);
      },
      { timeoutMs: 15_000, what: 'the consumer to commit every offset' },
    );
  });
});
