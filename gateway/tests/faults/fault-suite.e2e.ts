/**
 * The fault suite (`npm run test:faults`): demo trips with live subscribers while each service in turn
 * is killed with SIGKILL and restarted, then the Kafka broker, Redis, FerretDB and PostgreSQL are
 * killed and restarted through the stack's own functions.
 *
 * Shape (decided for the time budget): one wave per fault, FAULT_SUITE_TRIPS trips each (default 100,
 * the size), rather than one long run with the faults in sequence. Each wave starts on a quiet
 * system, lets its fault land once 30 % of its trips are on the road, and waits until every trip has
 * ended, so every row of the table is about one fault only and its checks run right after it. A
 * consumer's restart alone costs its group's 15 s session timeout, so 13 waves cannot be short: on
 * this two-core machine, 13 waves of 100 trips take about half an hour, too long for `npm test`. It
 * is run by hand (`npm run test:faults`) and its table recorded in BENCHMARKS.md; see .ci/run.
 *
 * After each fault: every trip ended exactly once (and completed: the windows are generous, so a fault
 * must not abort a trip), the archive holds exactly its events, its reporting fact equals it, tripStats
 * counts what the trips are, no driver was on two trips at once (over all waves), and every subscriber
 * saw versions 1..last with no gap and no duplicate, resuming with `afterVersion` after losing its
 * connection. The table is printed at the end.
 *
 * It lives with the gateway because its subscribers are graphql-ws clients (the gateway's dependency);
 * the harness is in @rideshare/testing (testing/src/faults).
 */
import {
  createFleet,
  driverOverlaps,
  envForFaults,
  FAULTS,
  faultTable,
  fleetGroups,
  openSystemDatabases,
  runWave,
  seedIfEmpty,
  startTestSystem,
  superviseSystem,
  waitFor,
  waitForWorkersReady,
  type LedgerTrip,
  type SystemDatabases,
  type SystemSupervisor,
  type TestSystem,
  type WaveContext,
  type WaveResult,
} from '@rideshare/testing';
import { status as stackStatus } from '@rideshare/stack';
import { passengerAuthorization, watchTrip } from './trip-watcher';
import { expectCleanWave, reportWave } from './wave-report';

/** Trips of a group race for the group's drivers; one driver per trip, so each can finish. */
const GROUP_SIZE = 4;
const TRIPS = Number(process.env.FAULT_SUITE_TRIPS ?? 100);
if (!Number.isInteger(TRIPS) || TRIPS < 1)
  throw new Error(`FAULT_SUITE_TRIPS must be a positive integer, got "${process.env.FAULT_SUITE_TRIPS}"`);
const GROUPS = Math.ceil(TRIPS / GROUP_SIZE);
const PASSENGERS = ['PX1001', 'PX1002', 'PX1003'];
/** From a fault to the end of its wave's last trip, at most. */
const SETTLE_MS = 300_000;

describe(`fault suite: ${GROUPS * GROUP_SIZE} demo trips with live subscribers per fault`, () => {
  let system: TestSystem;
  let supervisor: SystemSupervisor;
  let dbs: SystemDatabases;
  let ctx: WaveContext;
  const results: WaveResult[] = [];
  const everyTrip: LedgerTrip[] = [];

  beforeAll(async () => {
    system = await startTestSystem(envForFaults);
    supervisor = superviseSystem(system);
    dbs = await openSystemDatabases(system.prefix);
    await seedIfEmpty(system.gatewayUrl);
    const groups = fleetGroups(GROUPS, GROUP_SIZE);
    await createFleet(system, groups);
    await waitForWorkersReady(system);
    const authorization = passengerAuthorization(system);
    ctx = {
      system,
      supervisor,
      dbs,
      groups,
      passengerCodes: PASSENGERS,
      watch: (code, passenger) => watchTrip(() => system.gatewayUrl, authorization(passenger), code),
      settleTimeoutMs: SETTLE_MS,
    };
  }, 300_000);

  afterAll(async () => {
    if (results.length > 0)
      console.log(`Fault table\n\n${faultTable(results, driverOverlaps(everyTrip).length)}`);
    supervisor?.halt();
    await dbs?.close();
    await system?.stop();
    // Later tests in this process share the stack: it must be whole again.
    await waitFor(async () => (await stackStatus()).every((s) => s.healthy), {
      timeoutMs: 60_000,
      what: 'every stack service to be healthy',
    });
  }, 120_000);

  it.each(FAULTS.map((fault) => [fault.name, fault] as const))(
    'should end every trip once, archive and count it, with no subscriber gap or duplicate, after: %s',
    async (_name, fault) => {
      const result = await runWave(ctx, fault);
      results.push(result);
      reportWave(result);
      everyTrip.push(...result.trips);
      expectCleanWave(result, everyTrip);
    },
    SETTLE_MS + 300_000,
  );
});
