/**
 * Trip lifecycle benchmark (issue 4): N concurrent DEMO trips through the whole pipeline — gateway →
 * trips (event log = outbox) → relay → Kafka → orchestrator / simulator / archiver / reporting /
 * notifier — with compressed timings, on a fresh test system (own databases and topics).
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 MONGO_URL=mongodb://127.0.0.1:27017 REDIS_URL=redis://127.0.0.1:6379 \
 *     npm run bench:lifecycle
 *
 * Knobs: BENCH_TRIPS (500), BENCH_DRIVERS (2 × trips), BENCH_PASSENGERS (trips), BENCH_CONCURRENCY (32
 * requests in flight while seeding and requesting), BENCH_DEADLINE_S (1800: every trip must have ended
 * by then), BENCH_AREA_KM (6: drivers and pickups are spread over a square this wide), and the
 * lifecycle's own variables, defaulted here to a compressed demo (TRIP_MONITOR_INTERVAL_MS=1000,
 * SIM_ROUTE_STEPS=3, TRIP_MAX_DRIVERS_NOTIFIED=50, TRIP_SEARCH_RADIUS_MILES=25,
 * TRIP_ACCEPT_WINDOW_MS=300000, TRIP_MONITOR_MAX_CHECKS=60; the outbox and timer polls keep their
 * service defaults).
 *
 * Each driver holds one trip at a time, so the bench creates more drivers than trips, spread around
 * the pickups. It requests every trip at once (bounded concurrency), waits until all have ended, waits
 * for the archive to hold every event, and reports: trips completed / aborted (with reasons), archive
 * records vs events produced (the sum of the trips' final versions: must be equal, with no version of
 * any trip missing), events/s through the pipeline, request→end latency (requestedAt → endedAt), and
 * event→archive lag (archivedAt − envelope.time; envelope.time is when the event was committed to the
 * trip event log, so the lag includes the outbox relay, Kafka and the archiver). CPU time per service
 * comes from /proc. Results go to stdout and bench/results/lifecycle-<time>.json.
 */
import os from 'node:os';
import { MongoClient } from 'mongodb';
import { envInt, readInfraConfig } from '@rideshare/common';
import { startTestSystem, type TestSystem } from '@rideshare/testing';
import { isTerminalTripStatus } from '@rideshare/events';
import {
  cpuMs,
  machineCpuMs,
  machineNote,
  mapLimit,
  postgresCpuMs,
  seededRandom,
  sleep,
  stopOnSignal,
  summarize,
  writeResult,
} from './bench-util';
import { findDatabasePid, findPidsByComm } from './proc';

const TRIPS = envInt('BENCH_TRIPS', 500, { min: 1, max: 5_000 });
const DRIVERS = envInt('BENCH_DRIVERS', 2 * TRIPS, { min: 1, max: 20_000 });
const PASSENGERS = envInt('BENCH_PASSENGERS', TRIPS, { min: 1, max: 20_000 });
const CONCURRENCY = envInt('BENCH_CONCURRENCY', 32, { min: 1, max: 256 });
const DEADLINE_S = envInt('BENCH_DEADLINE_S', 1_800, { min: 10, max: 3_600 });
const AREA_KM = envInt('BENCH_AREA_KM', 6, { min: 1, max: 100 });

/** Compressed lifecycle timings; any of them set in the environment wins. */
const lifecycleEnv: Record<string, string> = Object.fromEntries(
  Object.entries({
    TRIP_MONITOR_INTERVAL_MS: '1000',
    SIM_ROUTE_STEPS: '3',
    TRIP_MAX_DRIVERS_NOTIFIED: '50',
    TRIP_SEARCH_RADIUS_MILES: '25',
    TRIP_ACCEPT_WINDOW_MS: '300000',
    TRIP_MONITOR_MAX_CHECKS: '60',
  }).map(([name, value]) => [name, process.env[name] ?? value]),
);

/** Bellevue, WA: drivers and pickups are spread over a square of AREA_KM around it. */
const CENTER = { latitude: 47.6101, longitude: -122.2015 };
const KM_PER_DEG_LAT = 111.32;
const kmPerDegLon = KM_PER_DEG_LAT * Math.cos((CENTER.latitude * Math.PI) / 180);
const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
function pointIn(random: () => number, around = CENTER, sizeKm = AREA_KM) {
  return {
    latitude: round6(around.latitude + ((random() - 0.5) * sizeKm) / KM_PER_DEG_LAT),
    longitude: round6(around.longitude + ((random() - 0.5) * sizeKm) / kmPerDegLon),
  };
}

const CARS = [
  { make: 'Toyota', model: 'Prius' },
  { make: 'Honda', model: 'Accord' },
  { make: 'Tesla', model: 'Model 3' },
  { make: 'Kia', model: 'Niro' },
];
const pad = (i: number) => String(i).padStart(5, '0');

async function must<T>(
  system: TestSystem,
  query: string,
  variables: Record<string, unknown>,
  what: string,
): Promise<T> {
  const res = await system.query<T>(query, variables);
  if (res.errors?.length || !res.data) throw new Error(`${what}: ${res.errors?.[0]?.message ?? 'no data'}`);
  return res.data;
}

async function seed(system: TestSystem, random: () => number) {
  const started = Date.now();
  await mapLimit(
    Array.from({ length: DRIVERS }, (_, i) => i),
    CONCURRENCY,
    (i) => {
      const car = CARS[i % CARS.length] ?? { make: 'Toyota', model: 'Prius' };
      return must(
        system,
        'mutation ($input: CreateDriverInput!) { createDriver(input: $input) { code } }',
        {
          input: {
            code: `BD${pad(i)}`,
            firstName: 'Bench',
            lastName: `Driver ${i}`,
            car: { ...car, year: 2022, color: 'Grey', licensePlate: `BD-${pad(i)}` },
            location: pointIn(random),
            isAcceptingRides: true,
          },
        },
        `createDriver ${i}`,
      );
    },
  );
  await mapLimit(
    Array.from({ length: PASSENGERS }, (_, i) => i),
    CONCURRENCY,
    (i) =>
      must(
        system,
        'mutation ($input: RegisterPassengerInput!) { registerPassenger(input: $input) { code } }',
        {
          input: {
            code: `BP${pad(i)}`,
            firstName: 'Bench',
            lastName: `Passenger ${i}`,
            email: `bench.passenger.${i}@example.com`,
          },
        },
        `registerPassenger ${i}`,
      ),
  );
  return (Date.now() - started) / 1000;
}

interface TripDoc {
  code: string;
  status: string;
  error: string | null;
  version: number;
  requestedAt: Date;
  acceptedAt: Date | null;
  endedAt: Date | null;
  monitorIterations: number;
}

interface ArchiveDoc {
  _id: string;
  tripCode: string;
  version: number;
  archivedAt: Date;
  envelope: { time: string };
}

async function main() {
  const machineBefore = machineNote();
  console.log(
    `lifecycle bench: ${TRIPS} DEMO trips, ${DRIVERS} drivers, ${PASSENGERS} passengers; ` +
      `${Object.entries(lifecycleEnv)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}; load average ${machineBefore.loadAvg.join(' ')} on ${machineBefore.cpus} CPUs`,
  );
  const cleanup = stopOnSignal();
  const system = await startTestSystem({ ...lifecycleEnv, LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' });
  cleanup.add(() => system.stop());
  const mongo = new MongoClient(readInfraConfig().mongoUrl);
  cleanup.add(() => mongo.close());
  try {
    const trips = mongo.db(`${system.prefix}_trips`).collection<TripDoc>('trips');
    const archive = mongo.db(`${system.prefix}_archive`).collection<ArchiveDoc>('trip_events');
    const random = seededRandom(42);
    const seedSeconds = await seed(system, random);
    console.log(`seeded ${DRIVERS} drivers and ${PASSENGERS} passengers in ${seedSeconds.toFixed(1)} s`);

    // Our services, and the shared servers they load (FerretDB, Kafka's JVM, Redis).
    const pids = {
      ...Object.fromEntries([...system.services].map(([name, s]) => [name, s.child.pid ?? 0])),
      ferretdb: findDatabasePid(readInfraConfig().mongoUrl),
      kafka: findPidsByComm('java')[0] ?? 0,
      redis: findPidsByComm('redis-server')[0] ?? 0,
    };
    const cpuBefore = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
    const postgresBefore = postgresCpuMs();
    const machineCpuBefore = machineCpuMs();
    const selfBefore = process.cpuUsage();

    // Every trip at once (bounded concurrency): a pickup in the area, a destination 1–3 km away.
    const requests = Array.from({ length: TRIPS }, (_, i) => {
      const source = pointIn(random);
      const angle = random() * 2 * Math.PI;
      const km = 1 + 2 * random();
      const destination = {
        latitude: round6(source.latitude + (km * Math.sin(angle)) / KM_PER_DEG_LAT),
        longitude: round6(source.longitude + (km * Math.cos(angle)) / kmPerDegLon),
      };
      return { passengerCode: `BP${pad(i % PASSENGERS)}`, source, destination, type: 'DEMO' };
    });
    const requestStart = Date.now();
    let requestErrors = 0;
    await mapLimit(requests, CONCURRENCY, async (input) => {
      const res = await system.query(
        'mutation ($input: RequestTripInput!) { requestTrip(input: $input) { code } }',
        { input },
      );
      if (res.errors?.length) {
        requestErrors++;
        if (requestErrors <= 3) console.error(`requestTrip failed: ${res.errors[0]?.message}`);
      }
    });
    const requestSeconds = (Date.now() - requestStart) / 1000;
    console.log(`requested ${TRIPS - requestErrors} trips in ${requestSeconds.toFixed(1)} s`);

    // Wait until every trip has ended (or the deadline).
    const deadline = requestStart + DEADLINE_S * 1000;
    const progress: Array<{ t: number; byStatus: Record<string, number> }> = [];
    let ended = 0;
    let lastPrint = 0;
    while (Date.now() < deadline) {
      const groups = await trips
        .aggregate<{ _id: string; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }])
        .toArray();
      const byStatus = Object.fromEntries(groups.map((g) => [g._id, g.n]));
      ended = (byStatus.COMPLETED ?? 0) + (byStatus.ABORTED ?? 0);
      const t = Math.round((Date.now() - requestStart) / 100) / 10;
      progress.push({ t, byStatus });
      // Counting reads the whole archive on FerretDB: only for the progress line, every 30 s.
      if (Date.now() - lastPrint > 30_000 || ended >= TRIPS - requestErrors) {
        lastPrint = Date.now();
        console.log(
          `  t=${t}s ${JSON.stringify(byStatus)} archived=${await archive.estimatedDocumentCount()}`,
        );
      }
      if (ended >= TRIPS - requestErrors) break;
      await sleep(5_000); // each look reads both collections whole on FerretDB: keep it rare
    }
    const allEndedAt = Date.now();

    // Then until the archive holds every event the trips produced.
    const loadTrips = () =>
      trips
        .find(
          {},
          {
            projection: {
              _id: 0,
              code: 1,
              status: 1,
              error: 1,
              version: 1,
              requestedAt: 1,
              acceptedAt: 1,
              endedAt: 1,
              monitorIterations: 1,
            },
          },
        )
        .toArray();
    let final = await loadTrips();
    const eventsProduced = () => final.reduce((sum, t) => sum + t.version, 0);
    let archived = await archive.countDocuments();
    const archiveDeadline = Math.max(deadline, Date.now() + 60_000);
    while (archived < eventsProduced() && Date.now() < archiveDeadline) {
      await sleep(1_000);
      final = await loadTrips();
      archived = await archive.countDocuments();
    }
    const archiveDoneAt = Date.now();

    const cpuAfter = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
    const postgresSeconds = (postgresCpuMs() - postgresBefore) / 1000;
    const machineCpuAfter = machineCpuMs();
    const self = process.cpuUsage(selfBefore);

    const records = await archive
      .find({}, { projection: { _id: 1, tripCode: 1, version: 1, archivedAt: 1, 'envelope.time': 1 } })
      .toArray();
    // Every version 1..final of every trip, exactly once.
    const versionsByTrip = new Map<string, Set<number>>();
    for (const r of records) {
      const set = versionsByTrip.get(r.tripCode) ?? new Set<number>();
      set.add(r.version);
      versionsByTrip.set(r.tripCode, set);
    }
    let missingVersions = 0;
    for (const t of final) {
      const seen = versionsByTrip.get(t.code) ?? new Set<number>();
      for (let v = 1; v <= t.version; v++) if (!seen.has(v)) missingVersions++;
    }
    const unexpectedRecords = records.length - (eventsProduced() - missingVersions);

    const completed = final.filter((t) => t.status === 'COMPLETED');
    const aborted = final.filter((t) => t.status === 'ABORTED');
    const abortReasons: Record<string, number> = {};
    for (const t of aborted) abortReasons[t.error ?? '(none)'] = (abortReasons[t.error ?? '(none)'] ?? 0) + 1;
    const stillActive = final.filter((t) => !isTerminalTripStatus(t.status));

    const eventTimes = records.map((r) => Date.parse(r.envelope.time));
    const archiveTimes = records.map((r) => r.archivedAt.getTime());
    const firstEvent = Math.min(...eventTimes);
    const lastArchived = Math.max(...archiveTimes);
    const pipelineSeconds = (lastArchived - firstEvent) / 1000;
    // The busiest 5 s of archiving, as a rate.
    const sortedArchive = [...archiveTimes].sort((a, b) => a - b);
    let peak5s = 0;
    for (let i = 0, j = 0; i < sortedArchive.length; i++) {
      while ((sortedArchive[i] ?? 0) - (sortedArchive[j] ?? 0) > 5_000) j++;
      peak5s = Math.max(peak5s, i - j + 1);
    }

    const busyMs = machineCpuAfter.busy - machineCpuBefore.busy;
    const wallMs = archiveDoneAt - requestStart;
    const result = {
      bench: 'lifecycle',
      at: new Date().toISOString(),
      command: 'npm run bench:lifecycle',
      config: {
        trips: TRIPS,
        drivers: DRIVERS,
        passengers: PASSENGERS,
        concurrency: CONCURRENCY,
        areaKm: AREA_KM,
        ...lifecycleEnv,
      },
      machine: { ...machineBefore, loadAvgAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100) },
      seedSeconds,
      requestSeconds,
      requestErrors,
      trips: {
        requested: TRIPS - requestErrors,
        completed: completed.length,
        aborted: aborted.length,
        abortReasons,
        notEndedByDeadline: stillActive.length,
        allEndedAfterSeconds: Math.round((allEndedAt - requestStart) / 100) / 10,
      },
      events: {
        produced: eventsProduced(),
        archiveRecords: records.length,
        equal: records.length === eventsProduced() && missingVersions === 0,
        /** False when trips were still active at the deadline: the archive may simply lag behind them. */
        settled: stillActive.length === 0,
        missingVersions,
        unexpectedRecords,
        perTrip: summarize(final.map((t) => t.version)),
        pipelineSeconds: Math.round(pipelineSeconds * 10) / 10,
        eventsPerSecond: Math.round((records.length / pipelineSeconds) * 10) / 10,
        peakEventsPerSecond5s: Math.round((peak5s / 5) * 10) / 10,
      },
      latencyMs: {
        requestToCompleted: summarize(
          completed.map((t) => (t.endedAt?.getTime() ?? 0) - t.requestedAt.getTime()),
        ),
        requestToAccepted: summarize(
          final
            .filter((t) => t.acceptedAt)
            .map((t) => (t.acceptedAt?.getTime() ?? 0) - t.requestedAt.getTime()),
        ),
        eventToArchived: summarize(records.map((r, i) => (archiveTimes[i] ?? 0) - (eventTimes[i] ?? 0))),
      },
      monitorPassesPerCompletedTrip: summarize(completed.map((t) => t.monitorIterations)),
      cpu: {
        wallSeconds: Math.round(wallMs / 100) / 10,
        machineBusyPercent: Math.round((busyMs / wallMs / os.cpus().length) * 1000) / 10,
        secondsPerService: Object.fromEntries(
          Object.keys(pids).map((name) => [
            name,
            Math.round(((cpuAfter[name] ?? 0) - (cpuBefore[name] ?? 0)) / 100) / 10,
          ]),
        ),
        /** PostgreSQL under FerretDB (0 on the SQLite back end or a mongod). */
        postgresSeconds: Math.round(postgresSeconds * 10) / 10,
        /** FerretDB plus its PostgreSQL (or mongod), per archived event. */
        databaseMsPerEvent:
          Math.round(
            ((((cpuAfter.ferretdb ?? 0) - (cpuBefore.ferretdb ?? 0)) / 1000 + postgresSeconds) * 1000 * 100) /
              Math.max(records.length, 1),
          ) / 100,
        benchClientSeconds: Math.round((self.user + self.system) / 1e5) / 10,
      },
      progress,
    };
    const { progress: _progress, ...printed } = result;
    console.log(JSON.stringify(printed, null, 2));
    console.log(`results: ${writeResult('lifecycle', result)}`);
    if (!result.events.equal) process.exitCode = 1;
  } finally {
    await cleanup.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
