import type { Producer } from 'kafkajs';
import {
  fastLifecycleEnv,
  kafkaNames,
  openSystemDatabases,
  places,
  readDeadLetters,
  seedIfEmpty,
  startTestSystem,
  testKafka,
  tripsApi,
  versionsUpTo,
  waitFor,
  waitForConsumersCaughtUp,
  waitForWorkersReady,
  type SystemDatabases,
  type TestSystem,
  type TripsApi,
  type TripView,
} from '@rideshare/testing';
import type { TripEventEnvelope } from '../src/contracts';

/** Consumer groups that commit every trip event they handle (the notifier and the alerter start at the end). */
const GROUPS = ['archiver', 'trips-reporting', 'trips-orchestrator', 'simulator'];
/** Every consumer group, as named in the dlq-consumer-group header. */
const ALL_GROUPS = [...GROUPS, 'notifier', 'alerter'].sort();

interface ArchivedEvent {
  _id: string;
  tripCode: string;
  version: number;
  envelope: TripEventEnvelope;
}

describe('trip event delivery to the consumers', () => {
  let system: TestSystem;
  let trips: TripsApi;
  let dbs: SystemDatabases;
  let producer: Producer;
  const kafka = testKafka('delivery-test');

  const completedDemoTrip = async (): Promise<TripView> => {
    const requested = await trips.request({
      passengerCode: 'PX1002',
      source: places.microsoft,
      destination: places.redmond,
      type: 'DEMO',
    });
    return trips.waitForStatus(requested.code, 'COMPLETED');
  };
  const completedCount = async () => {
    const res = await system.query<{ tripStats: { completed: number } }>('{ tripStats { completed } }');
    return res.data!.tripStats.completed;
  };
  const archivedEvents = (code: string) =>
    dbs.archive
      .collection<ArchivedEvent>('trip_events')
      .find({ tripCode: code })
      .sort({ version: 1 })
      .toArray();
  const fact = (code: string) => dbs.trips.collection<{ _id: string }>('trip_facts').findOne({ _id: code });

  beforeAll(async () => {
    // A generous accept window: the DEMO trips here must not abort while a busy machine catches up.
    system = await startTestSystem({ ...fastLifecycleEnv, TRIP_ACCEPT_WINDOW_MS: '15000' });
    trips = tripsApi(system);
    dbs = await openSystemDatabases(system.prefix);
    producer = kafka.producer();
    await producer.connect();
    await seedIfEmpty(system.gatewayUrl);
    await waitForWorkersReady(system);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await dbs?.close();
    await system?.stop();
  });

  it('should change nothing when every event of a completed trip is delivered again', async () => {
    const trip = await completedDemoTrip();
    await waitFor(
      async () => (await archivedEvents(trip.code)).length === trip.version && (await fact(trip.code)),
      {
        what: 'the trip to be archived and projected',
      },
    );
    await waitFor(async () => (await completedCount()) === 1, { what: 'tripStats to count the trip' });
    await waitForConsumersCaughtUp(system.prefix, GROUPS);
    const archived = await archivedEvents(trip.code);
    const archivedTrip = await dbs.archive.collection<{ _id: string }>('trips').findOne({ _id: trip.code });
    const factBefore = await fact(trip.code);
    expect(archived.map((e) => e._id)).toEqual(versionsUpTo(trip.version).map((v) => `${trip.code}:${v}`));
    expect(factBefore).toMatchObject({ status: 'COMPLETED', version: trip.version });

    await producer.send({
      topic: kafkaNames(system.prefix).topic,
      messages: archived.map((e) => ({ key: trip.code, value: JSON.stringify(e.envelope) })),
    });
    // A trip requested after the replay runs through the same consumers.
    const marker = await completedDemoTrip();
    await waitFor(async () => (await archivedEvents(marker.code)).length === marker.version, {
      what: 'the marker trip to be archived',
    });
    await waitForConsumersCaughtUp(system.prefix, GROUPS);

    expect(await archivedEvents(trip.code)).toEqual(archived);
    expect(await dbs.archive.collection<{ _id: string }>('trips').findOne({ _id: trip.code })).toEqual(
      archivedTrip,
    );
    expect(await fact(trip.code)).toEqual(factBefore);
    expect(await waitFor(async () => (await fact(marker.code)) && completedCount())).toBe(2);
    // The trip itself took no new event (the replayed offer was not accepted again, and so on).
    expect((await trips.get(trip.code)).events).toEqual(trip.events);
  });

  it('should dead-letter malformed messages with the reason and carry on with the next trips', async () => {
    const [sample] = await dbs.archive
      .collection<ArchivedEvent>('trip_events')
      .find({ version: 2 })
      .limit(1)
      .toArray();
    const envelope = sample!.envelope;
    const mismatched = { ...envelope, data: { ...envelope.data, version: envelope.data.version + 1 } };
    const bad = [
      { key: 'bad-not-json', value: 'not json', reason: /not JSON/ },
      {
        key: 'bad-missing-fields',
        value: JSON.stringify({ specversion: '1.0', id: 'x:1' }),
        reason: /invalid trip event/,
      },
      { key: 'bad-version', value: JSON.stringify(mismatched), reason: /version must agree/ },
    ];
    const names = kafkaNames(system.prefix);
    await producer.send({ topic: names.topic, messages: bad.map(({ key, value }) => ({ key, value })) });

    // Every consumer group dead-letters each of them once.
    const reader = await readDeadLetters(kafka, names);
    const { letters } = reader;
    try {
      await waitFor(() => letters.length >= bad.length * ALL_GROUPS.length, {
        timeoutMs: 30_000,
        what: `${bad.length * ALL_GROUPS.length} dead letters (have ${letters.length})`,
      });
    } finally {
      await reader.disconnect();
    }
    expect(letters).toHaveLength(bad.length * ALL_GROUPS.length);
    for (const { key, value, reason } of bad) {
      const mine = letters.filter((l) => l.key === key);
      expect(mine.map((l) => l.group).sort()).toEqual(ALL_GROUPS);
      for (const letter of mine) {
        expect(letter.value).toBe(value);
        expect(letter.reason).toMatch(reason);
      }
    }

    // The consumers carried on.
    const trip = await completedDemoTrip();
    await waitFor(async () => (await archivedEvents(trip.code)).length === trip.version, {
      what: 'the next trip to be archived',
    });
  });
});
