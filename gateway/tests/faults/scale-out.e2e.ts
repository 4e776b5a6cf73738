/**
 * The scale-out test (`npm run test:faults`): two of every service, 100 demo trips requested through
 * both gateways in turn, subscribers spread over both, and then one of each pair killed (kill -9, not
 * restarted) while the trips run. The survivors carry on: consumer groups move the dead members'
 * partitions to them, the outbox lease passes to the other trips (and drivers) replica, the other
 * orchestrator's scans fire the timers, and the subscribers of the dead gateway resume on the other one
 * with afterVersion. Checked as a fault wave (testing/src/faults): every trip ends once and completes,
 * archive = events, facts = trips, no driver on two trips, no subscriber gap or duplicate.
 *
 * Replica 2 of each service talks to replica 2 of the others, so the pairs really split the work, and
 * killing every second replica leaves one whole system.
 */
import {
  driverOverlaps,
  faultTable,
  groupMembers,
  postGraphQL,
  runWave,
  TRIP_EVENT_GROUPS,
  waitFor,
  type Fault,
  type WaveContext,
} from '@rideshare/testing';
import { appServices, type AppServiceName, type RunningService } from '@rideshare/stack';
import { FAULT_PASSENGERS, SETTLE_MS, startFaultSystem, tripCount, type FaultSystem } from './fault-system';
import { expectCleanWave, reportWave } from './wave-report';

const TRIPS = tripCount('SCALE_OUT_TRIPS', 100);

describe(`scale-out: two of every service, ${TRIPS} demo trips, one of each pair killed`, () => {
  let faulty: FaultSystem;
  let ctx: WaveContext;
  const second = new Map<AppServiceName, RunningService>();
  let secondGatewayUp = true;

  beforeAll(async () => {
    // In start order, each second replica finds the second replicas started before it.
    const startSecondReplicas = async (system: FaultSystem['system']) => {
      for (const { name } of appServices) {
        const peers = Object.fromEntries(
          (['drivers', 'passengers', 'trips', 'gateway'] as const)
            .filter((peer) => second.has(peer))
            .map((peer) => [`${peer.toUpperCase()}_URL`, second.get(peer)!.url]),
        );
        second.set(name, await system.startReplica(name, peers));
      }
    };
    faulty = await startFaultSystem(TRIPS, startSecondReplicas);
    const { system } = faulty;
    // Both members of every consumer group have joined, so both share the partitions.
    await waitFor(
      async () => [...(await groupMembers(faulty.system.prefix)).values()].every((members) => members === 2),
      { timeoutMs: 90_000, intervalMs: 500, what: 'two members in every consumer group' },
    );

    const secondGateway = second.get('gateway')!.url;
    const throughSecond = {
      query: async <T>(query: string, variables?: Record<string, unknown>) =>
        postGraphQL<T>(secondGateway, query, variables, await system.adminAuth()),
    };
    let watched = 0;
    ctx = {
      ...faulty,
      passengerCodes: FAULT_PASSENGERS,
      requestThrough: (i) => (i % 2 === 1 ? throughSecond : system),
      // Every second subscriber on the second gateway while it lives, then (as a load balancer would
      // send it) on the first.
      watch: (code, passenger) => {
        const onSecond = watched++ % 2 === 1;
        return faulty.watchOn(() => (onSecond && secondGatewayUp ? secondGateway : system.gatewayUrl))(
          code,
          passenger,
        );
      },
      settleTimeoutMs: SETTLE_MS,
    };
  }, 300_000);

  afterAll(async () => {
    await faulty?.close();
  }, 120_000);

  it(
    'should end every trip once, archive and count it, with no subscriber gap or duplicate',
    async () => {
      const killOneOfEachPair: Fault = {
        name: 'kill -9 one of two of every service',
        inject: async () => {
          secondGatewayUp = false;
          await Promise.all([...second.values()].map((replica) => replica.kill()));
        },
      };
      const result = await runWave(ctx, killOneOfEachPair);
      reportWave(result);
      console.log(`Scale-out\n\n${faultTable([result], driverOverlaps(result.trips).length)}`);
      expectCleanWave(result, result.trips);
      // The survivors alone hold the consumer groups now.
      expect(Object.fromEntries(await groupMembers(faulty.system.prefix))).toEqual(
        Object.fromEntries(TRIP_EVENT_GROUPS.map((g) => [g, 1])),
      );
    },
    SETTLE_MS + 300_000,
  );
});
