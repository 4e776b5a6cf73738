import { Kafka, logLevel } from 'kafkajs';
import { MongoClient, type Db } from 'mongodb';
import { readInfraConfig } from '@rideshare/common';
import type { GraphQLResponse } from '@rideshare/common';
import { appServices } from '@rideshare/stack';
import { waitFor, type TestSystem } from './testing';
import type { TripStatusValue } from '@rideshare/events';

/** Lifecycle timings compressed so that a DEMO trip runs from request to completion in seconds. */
export const fastLifecycleEnv: NodeJS.ProcessEnv = {
  TRIP_MONITOR_INTERVAL_MS: '400',
  TRIP_ACCEPT_WINDOW_MS: '3000',
  SIM_ROUTE_STEPS: '3',
  OUTBOX_POLL_INTERVAL_MS: '50',
  ORCHESTRATOR_SCAN_INTERVAL_MS: '50',
};

/** A trip status as the contracts define it (checked against the SDL). */
export type TripStatusName = TripStatusValue;

export interface TripView {
  code: string;
  type: 'NORMAL' | 'DEMO';
  status: TripStatusName;
  version: number;
  error: string | null;
  endedAt: string | null;
  durationSeconds: number | null;
  driver: { code: string } | null;
  availableDrivers: Array<{ code: string }>;
  events: Array<{ type: string; version: number }>;
}

const TRIP_FIELDS = `code type status version error endedAt durationSeconds
  driver { code } availableDrivers { code } events { type version }`;

export interface Point {
  latitude: number;
  longitude: number;
}

export interface TripInput {
  passengerCode: string;
  source: Point;
  destination: Point;
  type: 'NORMAL' | 'DEMO';
}

function dataOf<T>(res: GraphQLResponse<T>, what: string): T {
  if (res.errors || !res.data) throw new Error(`${what}: ${JSON.stringify(res.errors ?? res)}`);
  return res.data;
}

/** The trip operations of the public graph, through the test system's gateway. */
export function tripsApi(system: Pick<TestSystem, 'query'>) {
  const get = async (code: string): Promise<TripView> =>
    dataOf(
      await system.query<{ trip: TripView }>(`query ($code: ID!) { trip(code: $code) { ${TRIP_FIELDS} } }`, {
        code,
      }),
      `trip ${code}`,
    ).trip;
  const request = async (input: TripInput): Promise<TripView> => {
    const res = await system.query<{ requestTrip: TripView }>(
      `mutation ($input: RequestTripInput!) { requestTrip(input: $input) { ${TRIP_FIELDS} } }`,
      { input },
    );
    return dataOf(res, 'requestTrip').requestTrip;
  };
  return {
    get,
    request,
    /** A NORMAL trip for a seeded passenger, for tests that need some trip and not a particular one. */
    requestAny: (passengerCode = 'PX1001') =>
      request({
        passengerCode,
        source: { latitude: 47.6, longitude: -122.3 },
        destination: { latitude: 47.7, longitude: -122.3 },
        type: 'NORMAL',
      }),
    /** Several trips in one request (polling many trips one by one loads a busy machine). */
    async getMany(codes: string[]): Promise<TripView[]> {
      const fields = codes.map((code, i) => `t${i}: trip(code: ${JSON.stringify(code)}) { ${TRIP_FIELDS} }`);
      const data = dataOf(await system.query<Record<string, TripView>>(`{ ${fields.join(' ')} }`), 'trips');
      return codes.map((_, i) => data[`t${i}`]!);
    },
    accept: (code: string, driverCode: string) =>
      system.query<{ acceptTrip: TripView }>(
        `mutation ($code: ID!, $driverCode: ID!) { acceptTrip(code: $code, driverCode: $driverCode) { ${TRIP_FIELDS} } }`,
        { code, driverCode },
      ),
    cancel: (code: string, reason: string) =>
      system.query<{ cancelTrip: TripView }>(
        `mutation ($code: ID!, $reason: String) { cancelTrip(code: $code, reason: $reason) { ${TRIP_FIELDS} } }`,
        { code, reason },
      ),
    /** Polls the trip until its status is one of `statuses`. */
    waitForStatus(code: string, statuses: TripStatusName | TripStatusName[], timeoutMs = 20_000) {
      const wanted = ([] as TripStatusName[]).concat(statuses);
      return waitFor(
        async () => {
          const trip = await get(code);
          if (wanted.includes(trip.status)) return trip;
          throw new Error(
            `trip ${code} is ${trip.status} (v${trip.version}${trip.error ? `: ${trip.error}` : ''})`,
          );
        },
        { timeoutMs, what: `trip ${code} to be ${wanted.join(' or ')}` },
      );
    },
    async driverAccepting(code: string): Promise<boolean> {
      const res = await system.query<{ driver: { isAcceptingRides: boolean } }>(
        'query ($code: ID!) { driver(code: $code) { isAcceptingRides } }',
        { code },
      );
      return dataOf(res, `driver ${code}`).driver.isAcceptingRides;
    },
  };
}
export type TripsApi = ReturnType<typeof tripsApi>;

/**
 * Waits until every running worker reports ready (its consumer has joined its group): a service logs
 * "listening" before that, and a trip requested earlier may wait out its accept window.
 */
export async function waitForWorkersReady(system: TestSystem, timeoutMs = 30_000): Promise<void> {
  const workers = appServices.filter((s) => s.kind === 'worker' && system.services.has(s.name));
  await system.ready(
    workers.map((s) => s.name),
    timeoutMs,
  );
}

/** A completed trip's event types, space separated, must match this. */
export const COMPLETED_HISTORY =
  /^TRIP_REQUESTED DRIVERS_NOTIFIED DRIVER_ASSIGNED TRIP_STARTED( TRIP_RUNNING)* TRIP_COMPLETED$/;

/** 1, 2, … n */
export const versionsUpTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** The test system's topics and consumer groups (KAFKA_NAMESPACE is its prefix). */
export function kafkaNames(prefix: string) {
  return {
    topic: `${prefix}.rideshare.trip-events`,
    deadLetterTopic: `${prefix}.rideshare.trip-events.dlq`,
    group: (name: string) => `${prefix}.${name}`,
  };
}

export function testKafka(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: readInfraConfig().kafkaBrokers, logLevel: logLevel.NOTHING });
}

/** Read access to a test system's databases, for checking what the workers stored. */
export async function openSystemDatabases(prefix: string) {
  const client = new MongoClient(readInfraConfig().mongoUrl);
  await client.connect();
  const archive: Db = client.db(`${prefix}_archive`);
  const trips: Db = client.db(`${prefix}_trips`);
  return {
    archive,
    trips,
    /** Ids of the archived events of one trip, by version. */
    async archivedEventIds(code: string): Promise<string[]> {
      const docs = await archive
        .collection<{ _id: string; version: number }>('trip_events')
        .find({ tripCode: code })
        .toArray();
      return docs.sort((a, b) => a.version - b.version).map((d) => d._id);
    },
    close: () => client.close(),
  };
}
export type SystemDatabases = Awaited<ReturnType<typeof openSystemDatabases>>;

/**
 * Waits until each consumer group has committed every message of the system's trip-events topic,
 * i.e. has handled everything produced so far.
 */
export async function waitForConsumersCaughtUp(
  prefix: string,
  groups: string[],
  timeoutMs = 30_000,
): Promise<void> {
  const names = kafkaNames(prefix);
  const admin = testKafka('test-lag').admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        const ends = await admin.fetchTopicOffsets(names.topic);
        for (const group of groups) {
          const [committed] = await admin.fetchOffsets({
            groupId: names.group(group),
            topics: [names.topic],
          });
          for (const end of ends) {
            const at = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
            if (Number(end.high) > Math.max(at, 0))
              throw new Error(`${group} is at ${at} of ${end.high} on partition ${end.partition}`);
          }
        }
        return true;
      },
      { timeoutMs, intervalMs: 200, what: `consumer groups ${groups.join(', ')} to catch up` },
    );
  } finally {
    await admin.disconnect();
  }
}
