import crypto from 'node:crypto';
import type { Consumer, IHeaders } from 'kafkajs';
import { MongoClient, type Collection } from 'mongodb';
import { readInfraConfig } from '@rideshare/common';
import { maildevWebUrl } from '@rideshare/stack';
import {
  kafkaNames,
  maildevEmails,
  seedIfEmpty,
  startTestSystem,
  startWebhookReceiver,
  testKafka,
  tripsApi,
  waitFor,
  waitForConsumersCaughtUp,
  waitForWorkersReady,
  type RunningService,
  type TestSystem,
  type TripsApi,
  type WebhookReceiver,
} from '@rideshare/testing';
import { readAlertConfig, traceIdOf, type AlertClaim, type AlertDelivery } from '../src/alerts';
import { parseTripEvent } from '../src/contracts';

const SECRET = `alerts-e2e-${crypto.randomBytes(8).toString('hex')}`;
const TRACE_UI_URL = 'http://zipkin.alerts-test.example/zipkin';
const mailbox = maildevWebUrl();

describe('admin alerts: email through MailDev and signed webhooks', () => {
  let system: TestSystem;
  let trips: TripsApi;
  let receiver: WebhookReceiver;
  let mongo: MongoClient;
  let deliveries: Collection<AlertDelivery>;
  let claims: Collection<AlertClaim>;
  /** Two alerters share the work, as replicas do (the second one is started beside the first). */
  let replica: RunningService;
  let webhookChannel: string;
  /** Trip events as Kafka carries them: key, value and headers (the traceparent). */
  const messages: Array<{ key: string; value: string; headers: IHeaders | undefined }> = [];
  let reader: Consumer;
  // Each test system's alerts go to addresses of its own, so other systems' emails never match.
  const recipient = `admins-${crypto.randomBytes(4).toString('hex')}@alerts-test.example`;

  const emailsOf = async (code: string) =>
    (await maildevEmails(mailbox)).filter(
      (m) => m.subject.includes(code) && m.to.some((t) => t.address === recipient),
    );
  const abortedTrip = async (reason: string) => {
    const trip = await trips.requestAny('PX1003');
    const cancelled = await trips.cancel(trip.code, reason);
    expect(cancelled.errors).toBeUndefined();
    await trips.waitForStatus(trip.code, 'ABORTED');
    return trip.code;
  };
  const settled = (id: string) =>
    waitFor(
      async () => {
        const d = await deliveries.findOne({ _id: id });
        return d && d.status !== 'pending' ? d : false;
      },
      { timeoutMs: 60_000, what: `delivery ${id} to be settled` },
    );
  const traceIdOfAbort = (code: string) =>
    waitFor(
      () => {
        const abort = messages.find(
          (m) => m.key === code && parseTripEvent(m.value).data.event === 'TRIP_ABORTED',
        );
        return abort && (traceIdOf(abort.headers) ?? 'no trace id');
      },
      { what: `the TRIP_ABORTED event of ${code}` },
    );

  beforeAll(async () => {
    receiver = await startWebhookReceiver(SECRET);
    const alertEnv = {
      ALERT_EMAIL_TO: recipient,
      ALERT_WEBHOOK_URLS: receiver.url,
      ALERT_WEBHOOK_SECRET: SECRET,
      TRACE_UI_URL,
      ALERT_POLL_INTERVAL_MS: '200',
      ALERT_RETRY_BASE_MS: '200',
      // Long enough that the stalled webhook below is still waiting when the alerter is killed.
      ALERT_LEASE_MS: '12000',
      ALERT_SEND_TIMEOUT_MS: '6000',
    };
    webhookChannel = readAlertConfig(alertEnv).webhooks[0]?.channel ?? '';
    // Traced (npm test runs untraced otherwise): the alert's trace link is the abort's trace, which
    // the trips service's relay puts in the event's headers.
    system = await startTestSystem({ ...alertEnv, OTEL_SDK_DISABLED: 'false' });
    trips = tripsApi(system);
    await seedIfEmpty(system.gatewayUrl);
    replica = await system.startReplica('alerter');
    await waitForWorkersReady(system);
    mongo = new MongoClient(readInfraConfig().mongoUrl);
    await mongo.connect();
    deliveries = mongo.db(`${system.prefix}_alerts`).collection<AlertDelivery>('alert_deliveries');
    claims = mongo.db(`${system.prefix}_alerts`).collection<AlertClaim>('alert_claims');
    reader = testKafka('alerts-test').consumer({
      groupId: kafkaNames(system.prefix).group(`reader-${Date.now()}`),
    });
    await reader.connect();
    await reader.subscribe({ topic: kafkaNames(system.prefix).topic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        messages.push({ key: String(message.key), value: String(message.value), headers: message.headers });
      },
    });
  });

  afterAll(async () => {
    await reader?.disconnect();
    await mongo?.close();
    await system?.stop();
    await receiver?.close();
  });

  it('should email the admins once and call the webhook once, signed, when a trip is aborted (two alerters)', async () => {
    const code = await abortedTrip('passenger changed plans');
    const emailId = `${code}:ABORTED:email`;
    const webhookId = `${code}:ABORTED:${webhookChannel}`;
    await Promise.all([settled(emailId), settled(webhookId)]);
    const traceId = await traceIdOfAbort(code);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const [email, ...moreEmails] = await emailsOf(code);
    expect(moreEmails).toHaveLength(0);
    // cancelTrip records the reason as "Cancelled: <reason>".
    expect(email?.subject).toBe(`Trip ${code} aborted: Cancelled: passenger changed plans`);
    expect(email?.text).toContain(`Trip:      ${code}`);
    expect(email?.text).toContain('Passenger: PX1003');
    expect(email?.text).toContain('Driver:    none assigned');
    expect(email?.text).toContain('Reason:    Cancelled: passenger changed plans');
    expect(email?.text).toContain(`Trace:     ${TRACE_UI_URL}/traces/${traceId}`);
    expect(email?.headers['message-id']).toBe(`<${code}.ABORTED.email@rideshare-alerts>`);

    const calls = receiver.received.filter((r) => r.deliveryId === webhookId);
    expect(calls.map((c) => ({ refused: c.refused, accepted: c.accepted }))).toEqual([
      { refused: null, accepted: true },
    ]);
    expect(JSON.parse(calls[0]?.body ?? '{}')).toMatchObject({
      id: webhookId,
      type: 'trip.aborted',
      alert: {
        tripCode: code,
        passengerCode: 'PX1003',
        reason: 'Cancelled: passenger changed plans',
        traceId,
      },
    });
    expect(await deliveries.find({ 'alert.tripCode': code }).sort({ _id: 1 }).toArray()).toEqual([
      expect.objectContaining({ _id: emailId, status: 'sent', attempts: 1 }),
      expect.objectContaining({ _id: webhookId, status: 'sent', attempts: 1 }),
    ]);

    // Kafka delivers at least once: the same event again changes nothing.
    const abort = messages.find(
      (m) => m.key === code && parseTripEvent(m.value).data.event === 'TRIP_ABORTED',
    );
    const producer = testKafka('alerts-test-producer').producer();
    await producer.connect();
    await producer.send({
      topic: kafkaNames(system.prefix).topic,
      messages: [{ key: code, value: abort?.value ?? '', headers: abort?.headers }],
    });
    await producer.disconnect();
    await waitForConsumersCaughtUp(system.prefix, ['alerter']);
    expect(await emailsOf(code)).toHaveLength(1);
    expect(receiver.received.filter((r) => r.deliveryId === webhookId)).toHaveLength(1);
  });

  it('should still send one email and have one webhook accepted when the alerter is killed mid-delivery', async () => {
    receiver.stallNext();
    const code = await abortedTrip('killed mid-delivery');
    const emailId = `${code}:ABORTED:email`;
    const webhookId = `${code}:ABORTED:${webhookChannel}`;
    // The email is out and marked; the webhook is on the wire, its receiver not answering.
    await settled(emailId);
    await waitFor(() => receiver.stalled() === 1, { timeoutMs: 30_000, what: 'the webhook to be stalled' });
    // Whichever of the two alerters holds the webhook's first attempt is killed, then started again.
    const claim = await claims.findOne({ _id: `${webhookId}#1` });
    const holderPid = Number(claim?.owner.split('-')[0]);
    const primary = system.services.get('alerter');
    const holder = [primary, replica].find((s) => s?.child.pid === holderPid);
    if (!holder) throw new Error(`no alerter has pid ${holderPid}`);
    await holder.kill();
    receiver.release();
    if (holder === primary) await system.start('alerter');
    else replica = await system.startReplica('alerter');
    const webhook = await settled(webhookId);
    // Attempt 1 was cut short by the crash (no failure recorded); attempt 2, after its lease, went through.
    expect(webhook).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
    const calls = receiver.received.filter((r) => r.deliveryId === webhookId);
    expect(calls.map((c) => c.refused)).toEqual(['stalled', null]);
    expect(receiver.accepted(webhookId)).toHaveLength(1);
    // Both attempts sent the same body (the receiver can tell them apart only by the id).
    expect(new Set(calls.map((c) => c.body)).size).toBe(1);
    expect(await emailsOf(code)).toHaveLength(1);
    expect(await deliveries.findOne({ _id: emailId })).toMatchObject({ status: 'sent', attempts: 1 });
  });
});
