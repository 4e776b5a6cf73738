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
  type AppServiceName,
  type SystemDatabases,
  type TestSystem,
  type TripsApi,
  type TripStatusName,
  type TripView,
} from '@rideshare/testing';

const TRIPS_PER_RUN = 5;
const ON_THE_ROAD: TripStatusName[] = ['DRIVER_ASSIGNED', 'STARTED', 'RUNNING'];
// A restarted consumer waits for the killed member's Kafka session (15 s) to expire before it resumes.
const RECOVERY_MS = 60_000;

describe('trip lifecycle when a service is killed mid-trip', () => {
  let system: TestSystem;
  let trips: TripsApi;
  let dbs: SystemDatabases;

  beforeAll(async () => {
    system = await startTestSystem({
      ...fastLifecycleEnv,
      // Slower monitor passes, so that the kill lands while trips are on the road.
      TRIP_MONITOR_INTERVAL_MS: '700',
      // Generous limits: a restarted consumer may pause for a while; not what is tested here.
      TRIP_ACCEPT_WINDOW_MS: '30000',
      TRIP_MONITOR_MAX_CHECKS: '100',
      // Every seeded driver, so that each of the concurrent trips finds one.
      TRIP_SEARCH_RADIUS_MILES: '30',
    });
    trips = tripsApi(system);
    dbs = await openSystemDatabases(system.prefix);
    await seedIfEmpty(system.gatewayUrl);
    await waitForWorkersReady(system);
  });

  afterAll(async () => {
    await dbs?.close();
    await system?.stop();
  });

  /**
   * Requests DEMO trips, runs `crash` once some of them are on the road, and waits until all of them
   * have finished. Returns the finished trips.
   */
  async function runTripsThrough(crash: () => Promise<void>): Promise<TripView[]> {
    await waitForWorkersReady(system, RECOVERY_MS);
    // Trips of the previous run free their drivers asynchronously.
    await waitFor(
      async () => {
        const res = await system.query<{ drivers: Array<{ code: string; isAcceptingRides: boolean }> }>(
          '{ drivers(limit: 50) { code isAcceptingRides } }',
        );
        const busy = res.data?.drivers.filter((d) => !d.isAcceptingRides).map((d) => d.code);
        if (busy?.length !== 0) throw new Error(`busy: ${busy?.join(', ')}`);
        return true;
      },
      { timeoutMs: RECOVERY_MS, intervalMs: 250, what: 'every driver to be free' },
    );
    const requested = await Promise.all(
      Array.from({ length: TRIPS_PER_RUN }, () =>
        trips.request({
          passengerCode: 'PX1001',
          source: places.microsoft,
          destination: places.redmond,
          type: 'DEMO',
        }),
      ),
    );
    const codes = requested.map((t) => t.code);
    await waitFor(
      async () => (await trips.getMany(codes)).filter((t) => ON_THE_ROAD.includes(t.status)).length >= 2,
      { timeoutMs: RECOVERY_MS, what: 'two trips on the road' },
    );
    await crash();
    return waitFor(
      async () => {
        const all = await trips.getMany(codes);
        const open = all.filter((t) => t.status !== 'COMPLETED' && t.status !== 'ABORTED');
        if (open.length > 0) throw new Error(open.map((t) => `${t.code} is ${t.status}`).join(', '));
        return all;
      },
      { timeoutMs: RECOVERY_MS, intervalMs: 250, what: 'every trip to finish' },
    );
  }

  /** Kills a service with SIGKILL, and after a second starts it again with the same environment. */
  async function killAndRestart(name: AppServiceName, env: NodeJS.ProcessEnv = {}) {
    await system.services.get(name)!.kill();
    await new Promise((r) => setTimeout(r, 1_000)); // down for a while, as after a real crash
    await system.start(name, env);
  }

  /** Each trip completed exactly once, and the archive holds exactly its events, once each. */
  async function expectCompletedAndArchivedOnce(finished: TripView[]) {
    for (const trip of finished) {
      expect({ code: trip.code, status: trip.status, error: trip.error }).toEqual({
        code: trip.code,
        status: 'COMPLETED',
        error: null,
      });
      expect(trip.events.map((e) => e.type).join(' ')).toMatch(COMPLETED_HISTORY);
      expect(trip.events.map((e) => e.version)).toEqual(versionsUpTo(trip.version));
    }
    const events = dbs.archive.collection<{ _id: string; tripCode: string; version: number; event: string }>(
      'trip_events',
    );
    for (const trip of finished) {
      const archived = await waitFor(
        async () => {
          const docs = await events.find({ tripCode: trip.code }).sort({ version: 1 }).toArray();
          if (docs.length < trip.version) throw new Error(`${docs.length} of ${trip.version} archived`);
          return docs;
        },
        { timeoutMs: RECOVERY_MS, what: `archive of trip ${trip.code}` },
      );
      // Same ids and the same event at each version as the trip's own history.
      expect(archived.map((d) => `${d._id} ${d.event}`)).toEqual(
        trip.events.map((e) => `${trip.code}:${e.version} ${e.type}`),
      );
      const final = await waitFor(
        () => dbs.archive.collection<{ _id: string }>('trips').findOne({ _id: trip.code }),
        { timeoutMs: RECOVERY_MS, what: `archived trip ${trip.code}` },
      );
      expect(final).toMatchObject({ status: 'COMPLETED', version: trip.version });
    }
  }

  it('should complete every trip exactly once when the orchestrator is killed mid-trip', async () => {
    const finished = await runTripsThrough(() => killAndRestart('orchestrator'));
    await expectCompletedAndArchivedOnce(finished);
  });

  it('should archive every event exactly once when the archiver is killed mid-trip', async () => {
    const finished = await runTripsThrough(() => killAndRestart('archiver'));
    await expectCompletedAndArchivedOnce(finished);
  });

  it('should complete and archive every trip once when the trips subgraph (outbox relay) is killed mid-trip', async () => {
    const port = system.services.get('trips')!.port;
    // Same port: the gateway's supergraph names the subgraph's URL.
    const finished = await runTripsThrough(() => killAndRestart('trips', { PORT: String(port) }));
    await expectCompletedAndArchivedOnce(finished);
  });

  it('should still complete a DEMO trip whose offer reaches the simulator while the trips subgraph is down', async () => {
    await system.services.get('simulator')!.stop();
    const requested = await trips.request({
      passengerCode: 'PX1003',
      source: places.microsoft,
      destination: places.redmond,
      type: 'DEMO',
    });
    await trips.waitForStatus(requested.code, 'DRIVERS_NOTIFIED');
    // Published (the archiver has it), not only committed: the relay runs in the service killed next.
    const offerId = `${requested.code}:2`;
    await waitFor(async () => (await dbs.archivedEventIds(requested.code)).includes(offerId), {
      what: 'the offer to be published',
    });
    const tripsService = system.services.get('trips')!;
    await tripsService.kill();

    // The simulator picks up the offer while acceptTrip cannot be reached, and says so (a warning).
    await system.start('simulator', { LOG_LEVEL: 'warn' });
    const offer = `"eventId":"${offerId}"`;
    await waitFor(() => system.logs.some((l) => l.startsWith('[simulator]') && l.includes(offer)), {
      timeoutMs: 20_000,
      what: 'the simulator to try (and retry) accepting while the trips subgraph is down',
    });
    await system.start('trips', { PORT: String(tripsService.port) });

    const trip = await trips.waitForStatus(requested.code, ['COMPLETED', 'ABORTED'], RECOVERY_MS);
    expect({ status: trip.status, error: trip.error }).toEqual({ status: 'COMPLETED', error: null });
    expect(trip.events.map((e) => e.type).join(' ')).toMatch(COMPLETED_HISTORY);
  });
});
