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
  driverOverlaps,
  FAULTS,
  faultTable,
  runWave,
  waitFor,
  type LedgerTrip,
  type WaveContext,
  type WaveResult,
} from '@rideshare/testing';
import { status as stackStatus } from '@rideshare/stack';
import { FAULT_PASSENGERS, SETTLE_MS, startFaultSystem, tripCount, type FaultSystem } from './fault-system';
import { expectCleanWave, reportWave } from './wave-report';

const TRIPS = tripCount('FAULT_SUITE_TRIPS', 100);

describe(`fault suite: ${TRIPS} demo trips with live subscribers per fault`, () => {
  let faulty: FaultSystem;
  let ctx: WaveContext;
  const results: WaveResult[] = [];
  const everyTrip: LedgerTrip[] = [];

  beforeAll(async () => {
    faulty = await startFaultSystem(TRIPS);
    const { system } = faulty;
    ctx = {
      ...faulty,
      passengerCodes: FAULT_PASSENGERS,
      watch: faulty.watchOn(() => system.gatewayUrl),
      settleTimeoutMs: SETTLE_MS,
    };
  }, 300_000);

  afterAll(async () => {
    if (results.length > 0)
      console.log(`Fault table\n\n${faultTable(results, driverOverlaps(everyTrip).length)}`);
    await faulty?.close();
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
