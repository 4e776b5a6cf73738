import { MongoClient, type Db, type Document } from 'mongodb';
import { readInfraConfig } from '@rideshare/common';
import { queryPostgres } from '../src/postgres';
import {
  fastLifecycleEnv,
  startTestSystem,
  tripsApi,
  waitFor,
  waitForWorkersReady,
  type TestSystem,
} from '@rideshare/testing';

/**
 * Every hot read is served by an index on FerretDB's PostgreSQL back end. The test fills each service's
 * database with a realistic history, runs the hot paths (a whole demo trip through every worker, then the
 * queries front ends make), and reads PostgreSQL's own counters (`pg_stat_user_tables`) around them: no
 * sequential scan may touch a large collection. PostgreSQL may rightly scan a small table, and a large
 * one for a filter that matches much of it (it did for a status held by 10 % of the trips): the
 * history's aborted trips, listed below, are 2 % of it.
 */
const LARGE = 500;
const HISTORY = 1_500;

const postgresUrl = process.env.STACK_POSTGRES_URL;

interface TableCounters {
  collection: string;
  liveRows: number;
  seqScans: number;
  seqRowsRead: number;
}

/** The counters of every collection of the given databases (FerretDB keeps one schema per database). */
function counters(url: string, databases: string[]): TableCounters[] {
  const schemas = databases.map((d) => `'${d}'`).join(', ');
  const rows = queryPostgres(
    url,
    `SELECT s.schemaname, s.relname, s.n_live_tup, s.seq_scan, s.seq_tup_read FROM pg_stat_user_tables s
     WHERE s.schemaname IN (${schemas}) AND s.relname <> '_ferretdb_database_metadata'`,
  );
  const names = new Map<string, string>();
  for (const db of databases)
    for (const [collection, table] of queryPostgres(
      url,
      `SELECT _jsonb->>'_id', _jsonb->>'table' FROM "${db}"._ferretdb_database_metadata`,
    ))
      names.set(`${db}.${table}`, `${db}.${collection}`);
  return rows.map(([schema, table, live, scans, read]) => ({
    collection: names.get(`${schema}.${table}`) ?? `${schema}.${table}`,
    liveRows: Number(live),
    seqScans: Number(scans),
    seqRowsRead: Number(read),
  }));
}

/** PostgreSQL publishes a backend's counters when it goes idle, at most once a second. */
const settle = () => new Promise((r) => setTimeout(r, 1_500));

const point = (i: number) => ({ latitude: -60 + (i % 120), longitude: -170 + ((i * 7) % 340) });
const at = (i: number) => new Date(Date.now() - (HISTORY - i) * 60_000);

async function insertAll(db: Db, collection: string, docs: Document[]) {
  // Small batches: a FerretDB write command holds one PostgreSQL connection per statement.
  for (let i = 0; i < docs.length; i += 40) await db.collection(collection).insertMany(docs.slice(i, i + 40));
}

/** A history far from Seattle: finished trips, their log and facts, drivers and passengers elsewhere. */
async function fillHistory(client: MongoClient, prefix: string) {
  const trips = client.db(`${prefix}_trips`);
  const finished = Array.from({ length: HISTORY }, (_, i) => {
    const status = i % 50 === 0 ? 'ABORTED' : 'COMPLETED';
    return {
      _id: `HIST${i}`,
      code: `HIST${i}`,
      type: 'NORMAL',
      status,
      passengerCode: `HP${i % 300}`,
      driverCode: `HD${i % 400}`,
      availableDriverCodes: [`HD${i % 400}`],
      source: point(i),
      destination: point(i + 1),
      requestedAt: at(i),
      acceptedAt: at(i),
      startedAt: at(i),
      endedAt: at(i),
      durationSeconds: 600,
      monitorIterations: 3,
      error: status === 'ABORTED' ? 'test' : null,
      version: 2,
      events: [
        { type: 'TRIP_REQUESTED', version: 1, occurredAt: at(i), status: 'REQUESTED' },
        { type: `TRIP_${status}`, version: 2, occurredAt: at(i), status },
      ],
      driverLocation: null,
      acceptDeadline: null,
      nextMonitorAt: null,
      timerSlot: null,
    };
  });
  await insertAll(trips, 'trips', finished);
  await insertAll(
    trips,
    'trip_event_log',
    finished.flatMap((t) =>
      t.events.map((entry) => ({
        _id: `${t.code}:${entry.version}`,
        code: t.code,
        version: entry.version,
        set: {},
        entry,
        envelope: {},
        published: true,
        createdAt: entry.occurredAt,
      })),
    ),
  );
  await insertAll(
    trips,
    'trip_facts',
    finished.map((t) => ({ ...t, mode: t.type, hour: '2026-01-01T00:00:00.000Z', events: undefined })),
  );
  await insertAll(
    client.db(`${prefix}_drivers`),
    'drivers',
    Array.from({ length: HISTORY }, (_, i) => ({
      _id: `HD${i}`,
      code: `HD${i}`,
      firstName: 'Far',
      lastName: 'Away',
      car: { make: 'Kia', model: 'Niro', year: 2020, color: 'Red', licensePlate: `H${i}` },
      location: point(i),
      isAcceptingRides: i % 2 === 0,
      version: 1,
      createdAt: at(i),
      updatedAt: at(i),
    })),
  );
  await insertAll(
    client.db(`${prefix}_passengers`),
    'passengers',
    Array.from({ length: HISTORY }, (_, i) => ({
      _id: `HP${i}`,
      code: `HP${i}`,
      firstName: 'Past',
      lastName: 'Rider',
      email: `hp${i}@example.com`,
      mobileNumber: '+15550100',
      createdAt: at(i),
      updatedAt: at(i),
    })),
  );
}

describe('index use on FerretDB with PostgreSQL', () => {
  let system: TestSystem;
  let client: MongoClient;
  let databases: string[];

  beforeAll(async () => {
    if (!postgresUrl)
      throw new Error('this test reads the stack PostgreSQL: run it under `npm test` (STACK_POSTGRES_URL)');
    system = await startTestSystem(fastLifecycleEnv);
    await waitForWorkersReady(system);
    client = new MongoClient(readInfraConfig().mongoUrl);
    await client.connect();
    await fillHistory(client, system.prefix);
    databases = ['trips', 'drivers', 'passengers', 'archive'].map((d) => `${system.prefix}_${d}`);
    // Planner statistics for the new rows, as autovacuum would gather them.
    queryPostgres(postgresUrl, 'ANALYZE');
  });

  afterAll(async () => {
    await client?.close();
    await system?.stop();
  });

  it('should serve a whole trip and the front ends’ queries without scanning a large collection', async () => {
    const api = tripsApi(system);
    const driver = {
      code: 'NEAR1',
      firstName: 'Ada',
      lastName: 'Near',
      car: { make: 'Toyota', model: 'Prius', year: 2021, color: 'Blue', licensePlate: 'NEAR1' },
      location: { latitude: 47.62, longitude: -122.2 },
    };
    const created = await system.query(
      'mutation ($input: CreateDriverInput!) { createDriver(input: $input) { code } }',
      {
        input: driver,
      },
    );
    expect(created.errors).toBeUndefined();
    const rider = await system.query<{ registerPassenger: { code: string } }>(
      'mutation ($input: RegisterPassengerInput!) { registerPassenger(input: $input) { code } }',
      { input: { firstName: 'Ida', lastName: 'Rider', email: 'ida@example.com', mobileNumber: '+15550101' } },
    );
    const passengerCode = rider.data?.registerPassenger.code ?? '';
    await settle();
    const before = counters(postgresUrl!, databases);

    const trip = await api.request({
      passengerCode,
      source: { latitude: 47.6205, longitude: -122.3493 },
      destination: { latitude: 47.618, longitude: -122.201 },
      type: 'DEMO',
    });
    await waitFor(async () => (await api.get(trip.code)).status === 'COMPLETED', {
      timeoutMs: 60_000,
      what: `${trip.code} completed`,
    });
    const read = await system.query(
      `query ($trip: ID!, $passenger: ID!, $driver: ID!) {
        trip(code: $trip) { code driver { code firstName car { make } } passenger { code email } events { type } }
        tripUpdate(code: $trip, version: 2) { version trip { status } }
        trips(status: ABORTED, limit: 5) { code }
        activeTrips { code }
        passenger(code: $passenger) { trips(limit: 5) { code status } }
        driver(code: $driver) { trips(limit: 5) { code } currentTrip { code } locationHistory(limit: 3) { recordedAt } }
        driversNear(location: { latitude: 47.62, longitude: -122.3 }, radiusKm: 25, limit: 5) { code }
      }`,
      { trip: trip.code, passenger: passengerCode, driver: 'NEAR1' },
    );
    expect(read.errors).toBeUndefined();
    await settle();
    const after = counters(postgresUrl!, databases);

    const scanned = after
      .map((t) => {
        const old = before.find((b) => b.collection === t.collection);
        return {
          ...t,
          seqRowsRead: t.seqRowsRead - (old?.seqRowsRead ?? 0),
          seqScans: t.seqScans - (old?.seqScans ?? 0),
        };
      })
      .filter((t) => t.liveRows >= LARGE && t.seqRowsRead > 0)
      .map(
        (t) => `${t.collection}: ${t.seqScans} sequential scans read ${t.seqRowsRead} rows of ${t.liveRows}`,
      );
    expect(scanned).toEqual([]);
    // The check itself: the history is there and large.
    expect(
      after
        .filter((t) => t.liveRows >= LARGE)
        .map((t) => t.collection.split('.')[1])
        .sort(),
    ).toEqual(expect.arrayContaining(['drivers', 'passengers', 'trip_event_log', 'trip_facts', 'trips']));
  });
});
