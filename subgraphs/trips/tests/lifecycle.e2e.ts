import {
  COMPLETED_HISTORY,
  fastLifecycleEnv,
  openSystemDatabases,
  places,
  seedIfEmpty,
  startTestSystem,
  tripsApi,
  versionsUpTo,
  waitFor,
  waitForWorkersReady,
  type SystemDatabases,
  type TestSystem,
  type TripsApi,
} from '@rideshare/testing';
import { readLifecycleConfig } from '../src/lifecycle/config';

/** Far from the seeded drivers (Portland, OR): trips here are offered only the drivers made here. */
const PORTLAND = { latitude: 45.5152, longitude: -122.6784 };
const near = (i: number) => ({ latitude: PORTLAND.latitude + i / 1000, longitude: PORTLAND.longitude });
const car = { make: 'Toyota', model: 'Prius', year: 2021, color: 'Blue', licensePlate: 'PDX-100' };

const STATS = '{ tripStats { completed averageDurationSeconds perHour { hour completed } } }';
interface Stats {
  completed: number;
  averageDurationSeconds: number | null;
  perHour: Array<{ hour: string; completed: number }>;
}

describe('trip lifecycle through the gateway', () => {
  let system: TestSystem;
  let trips: TripsApi;
  let dbs: SystemDatabases;
  let completedCode: string;

  const stats = async () => {
    const res = await system.query<{ tripStats: Stats }>(STATS);
    if (!res.data) throw new Error(JSON.stringify(res.errors));
    return res.data.tripStats;
  };

  beforeAll(async () => {
    // A longer window than the fast default: the tests accept by hand, several trips at once.
    system = await startTestSystem({ ...fastLifecycleEnv, TRIP_ACCEPT_WINDOW_MS: '12000' });
    trips = tripsApi(system);
    dbs = await openSystemDatabases(system.prefix);
    await seedIfEmpty(system.gatewayUrl);
    await waitForWorkersReady(system);
  });

  afterAll(async () => {
    await dbs?.close();
    await system?.stop();
  });

  it('should run a DEMO trip from REQUESTED to COMPLETED, archive each event once and count it in tripStats', async () => {
    const before = await stats();
    const requested = await trips.request({
      passengerCode: 'PX1001',
      source: places.microsoft,
      destination: places.redmond,
      type: 'DEMO',
    });
    expect(requested).toMatchObject({ status: 'REQUESTED', version: 1, driver: null });
    expect(requested.events).toEqual([{ type: 'TRIP_REQUESTED', version: 1 }]);

    const trip = await trips.waitForStatus(requested.code, 'COMPLETED');
    completedCode = trip.code;
    expect(trip.events.map((e) => e.type).join(' ')).toMatch(COMPLETED_HISTORY);
    expect(trip.events.map((e) => e.version)).toEqual(versionsUpTo(trip.version));
    expect(trip.driver).not.toBeNull();
    expect(trip.error).toBeNull();

    // One archive record per event version, ids code:1 … code:N, and one final archived trip.
    const ids = await waitFor(
      async () => {
        const found = await dbs.archivedEventIds(trip.code);
        return found.length >= trip.version ? found : undefined;
      },
      { what: `archive of ${trip.version} events` },
    );
    expect(ids).toEqual(versionsUpTo(trip.version).map((v) => `${trip.code}:${v}`));
    const archivedTrip = await waitFor(
      () => dbs.archive.collection<{ _id: string }>('trips').findOne({ _id: trip.code }),
      { what: 'the archived trip' },
    );
    expect(archivedTrip).toMatchObject({ status: 'COMPLETED', version: trip.version });
    expect(await dbs.archive.collection<{ _id: string }>('trips').countDocuments({ _id: trip.code })).toBe(1);

    // The reporting projection is asynchronous.
    const hour = `${trip.endedAt?.slice(0, 13)}:00:00.000Z`;
    const after = await waitFor(
      async () => {
        const s = await stats();
        return s.completed === before.completed + 1 ? s : undefined;
      },
      { what: 'tripStats to count the completed trip' },
    );
    expect(after.averageDurationSeconds).toEqual(expect.any(Number));
    expect(after.perHour.find((h) => h.hour === hour)?.completed).toBeGreaterThanOrEqual(1);

    const driverCode = trip.driver!.code;
    await waitFor(() => trips.driverAccepting(driverCode), {
      what: `driver ${driverCode} to accept rides again`,
    });
  });

  it('should abort a trip with no driver nearby, saying no drivers are available', async () => {
    const requested = await trips.request({
      passengerCode: 'PX1002',
      source: { latitude: 10, longitude: 10 },
      destination: { latitude: 10.02, longitude: 10.02 },
      type: 'NORMAL',
    });

    const trip = await trips.waitForStatus(requested.code, 'ABORTED');
    expect(trip.error).toMatch(/No drivers available/);
    expect(trip.availableDrivers).toEqual([]);
    expect(trip.events).toEqual([
      { type: 'TRIP_REQUESTED', version: 1 },
      { type: 'TRIP_ABORTED', version: 2 },
    ]);
  });

  it('should abort a trip that no driver accepts within the window', async () => {
    const requested = await trips.request({
      passengerCode: 'PX1002',
      source: places.microsoft,
      destination: places.redmond,
      type: 'NORMAL',
    });
    const offered = await trips.waitForStatus(requested.code, ['DRIVERS_NOTIFIED', 'ABORTED']);
    expect(offered.status).toBe('DRIVERS_NOTIFIED');
    expect(offered.availableDrivers.length).toBeGreaterThan(0);

    const trip = await trips.waitForStatus(requested.code, 'ABORTED', 30_000);
    expect(trip.error).toMatch(/No driver accepted/);
    expect(trip.driver).toBeNull();
    expect(trip.events).toEqual([
      { type: 'TRIP_REQUESTED', version: 1 },
      { type: 'DRIVERS_NOTIFIED', version: 2 },
      { type: 'TRIP_ABORTED', version: 3 },
    ]);
  });

  it('should cancel an assigned trip with the reason, free its driver, and refuse to cancel a finished trip', async () => {
    const requested = await trips.request({
      passengerCode: 'PX1003',
      source: places.microsoft,
      destination: places.redmond,
      type: 'NORMAL',
    });
    const offered = await trips.waitForStatus(requested.code, 'DRIVERS_NOTIFIED');
    const driverCode = offered.availableDrivers[0]!.code;
    const accepted = await trips.accept(requested.code, driverCode);
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data?.acceptTrip).toMatchObject({
      status: 'DRIVER_ASSIGNED',
      driver: { code: driverCode },
    });
    // The orchestrator takes the driver off the market.
    await waitFor(async () => !(await trips.driverAccepting(driverCode)), {
      what: `driver ${driverCode} to stop accepting rides`,
    });

    const cancelled = await trips.cancel(requested.code, 'Passenger changed plans');
    expect(cancelled.errors).toBeUndefined();
    const trip = cancelled.data!.cancelTrip;
    expect(trip.status).toBe('ABORTED');
    expect(trip.error).toContain('Passenger changed plans');
    expect(trip.events.at(-1)).toEqual({ type: 'TRIP_ABORTED', version: trip.version });
    expect(trip.events.map((e) => e.version)).toEqual(versionsUpTo(trip.version));
    await waitFor(() => trips.driverAccepting(driverCode), {
      what: `driver ${driverCode} to accept rides again`,
    });

    for (const code of [requested.code, completedCode]) {
      const again = await trips.cancel(code, 'Too late');
      expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    }
    expect((await trips.get(requested.code)).version).toBe(trip.version);
  });

  it('should let exactly one of two concurrent accepts win, refuse drivers not offered, and never put a driver on two trips', async () => {
    const drivers = ['PDX01', 'PDX02', 'PDX03', 'PDX04', 'PDX05', 'PDX06'];
    for (const [i, code] of drivers.entries()) {
      const res = await system.query(
        'mutation ($input: CreateDriverInput!) { createDriver(input: $input) { code } }',
        { input: { code, firstName: 'Test', lastName: `Driver ${i}`, car, location: near(i) } },
      );
      expect(res.errors).toBeUndefined();
    }
    // Four trips offered at once to the same six drivers.
    const requested = await Promise.all(
      [1, 2, 3, 4].map(() =>
        trips.request({
          passengerCode: 'PX1003',
          source: PORTLAND,
          destination: near(40),
          type: 'NORMAL',
        }),
      ),
    );
    const codes = requested.map((t) => t.code);
    for (const code of codes) {
      const offered = await trips.waitForStatus(code, 'DRIVERS_NOTIFIED');
      expect(offered.availableDrivers.map((d) => d.code).sort()).toEqual(drivers);
    }
    const [t1, t2, t3, t4] = codes as [string, string, string, string];

    // Two drivers race for t1 and two for t2, while one driver accepts t3 and t4 at the same time.
    const [a1, b1, a2, b2, c3, c4] = await Promise.all([
      trips.accept(t1, 'PDX01'),
      trips.accept(t1, 'PDX02'),
      trips.accept(t2, 'PDX03'),
      trips.accept(t2, 'PDX04'),
      trips.accept(t3, 'PDX05'),
      trips.accept(t4, 'PDX05'),
    ]);
    const winnerOf = async (
      code: string,
      results: Array<[string, Awaited<ReturnType<TripsApi['accept']>>]>,
    ) => {
      const won = results.filter(([, r]) => !r.errors);
      const lost = results.filter(([, r]) => r.errors);
      expect(won).toHaveLength(1);
      expect(lost.map(([, r]) => r.errors?.[0]?.extensions?.code)).toEqual(['CONFLICT']);
      const [driverCode, result] = won[0]!;
      expect(result.data?.acceptTrip.driver?.code).toBe(driverCode);
      const trip = await trips.get(code);
      expect(trip.driver?.code).toBe(driverCode);
      expect(trip.events.filter((e) => e.type === 'DRIVER_ASSIGNED')).toHaveLength(1);
      expect(trip.events.map((e) => e.version)).toEqual(versionsUpTo(trip.version));
      return { winner: driverCode, loser: lost[0]![0] };
    };
    const race1 = await winnerOf(t1, [
      ['PDX01', a1],
      ['PDX02', b1],
    ]);
    await winnerOf(t2, [
      ['PDX03', a2],
      ['PDX04', b2],
    ]);
    expect([c3, c4].filter((r) => !r.errors)).toHaveLength(1);
    expect([c3, c4].find((r) => r.errors)?.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const open = c3.errors ? t3 : t4;
    expect((await trips.get(open)).status).toBe('DRIVERS_NOTIFIED');

    // A driver the trip was not offered to is refused.
    const stranger = await trips.accept(open, 'AA100');
    expect(stranger.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // The loser cannot take the trip afterwards either.
    const late = await trips.accept(t1, race1.loser);
    expect(late.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    // The winner is on t1, so it cannot take another trip it was offered.
    const busy = await trips.accept(open, race1.winner);
    expect(busy.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(busy.errors?.[0]?.message).toMatch(/already on trip/);
    // A free driver still can.
    const free = await trips.accept(open, 'PDX06');
    expect(free.errors).toBeUndefined();
    expect(free.data?.acceptTrip.driver?.code).toBe('PDX06');

    for (const code of codes) expect((await trips.cancel(code, 'Test over')).errors).toBeUndefined();
  });

  it('should abort a trip whose driver never arrives after the configured number of checks, and release the driver', async () => {
    // The orchestrator's own setting (TRIP_MONITOR_MAX_CHECKS), as this file's system runs it.
    const { monitorMaxChecks } = readLifecycleConfig(system.envFor('orchestrator'));
    // Salem, OR: no other driver within the search radius. Nothing moves a NORMAL trip's driver.
    const SALEM = { latitude: 44.9429, longitude: -123.0351 };
    const created = await system.query(
      'mutation ($input: CreateDriverInput!) { createDriver(input: $input) { code } }',
      { input: { code: 'SALEM1', firstName: 'Still', lastName: 'Standing', car, location: SALEM } },
    );
    expect(created.errors).toBeUndefined();
    const request = () =>
      trips.request({
        passengerCode: 'PX1001',
        source: SALEM,
        destination: { latitude: SALEM.latitude + 0.05, longitude: SALEM.longitude },
        type: 'NORMAL',
      });
    const requested = await request();
    await trips.waitForStatus(requested.code, 'DRIVERS_NOTIFIED');
    expect((await trips.accept(requested.code, 'SALEM1')).errors).toBeUndefined();
    await waitFor(async () => !(await trips.driverAccepting('SALEM1')), {
      what: 'SALEM1 to stop accepting rides while on the trip',
    });

    const trip = await trips.waitForStatus(requested.code, ['COMPLETED', 'ABORTED'], 60_000);
    expect(trip.status).toBe('ABORTED');
    expect(trip.error).toMatch(new RegExp(`^Trip did not complete within ${monitorMaxChecks} checks`));
    // The first check starts the trip, each later one reports it running, the one after the last aborts.
    expect(trip.events.map((e) => e.type)).toEqual([
      'TRIP_REQUESTED',
      'DRIVERS_NOTIFIED',
      'DRIVER_ASSIGNED',
      'TRIP_STARTED',
      ...Array.from({ length: monitorMaxChecks - 1 }, () => 'TRIP_RUNNING'),
      'TRIP_ABORTED',
    ]);
    expect(trip.events.map((e) => e.version)).toEqual(versionsUpTo(trip.version));
    const details = await system.query<{
      trip: { monitorIterations: number; driver: { location: { latitude: number; longitude: number } } };
    }>(
      'query ($code: ID!) { trip(code: $code) { monitorIterations driver { location { latitude longitude } } } }',
      {
        code: trip.code,
      },
    );
    expect(details.data?.trip).toEqual({ monitorIterations: monitorMaxChecks, driver: { location: SALEM } });

    // Released: accepting rides again, and able to take the next trip offered.
    await waitFor(() => trips.driverAccepting('SALEM1'), { what: 'SALEM1 to accept rides again' });
    const next = await request();
    await trips.waitForStatus(next.code, 'DRIVERS_NOTIFIED');
    const accepted = await trips.accept(next.code, 'SALEM1');
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data?.acceptTrip).toMatchObject({
      status: 'DRIVER_ASSIGNED',
      driver: { code: 'SALEM1' },
    });
    expect((await trips.cancel(next.code, 'Test over')).errors).toBeUndefined();
  });
});
