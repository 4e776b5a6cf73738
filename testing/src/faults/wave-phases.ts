import { mapLimit } from '@rideshare/common';
import { appServices } from '@rideshare/stack';
import { waitFor } from '../testing';
import { tripsApi } from '../trip-testing';
import { groupsBehind, topicEnds } from './consumer-progress';
import { readLedger, readStored, type StoredEvidence } from './evidence';
import { fleetTrips } from './fleet';
import type { TripWatcher, WaveContext } from './wave';
import type { LedgerTrip } from './wave-checks';

// The steps of a wave other than the fault itself.

const ON_THE_ROAD = new Set(['DRIVER_ASSIGNED', 'TRIP_STARTED', 'TRIP_RUNNING']);
/** After every trip has ended, how long a subscriber still has to see the end. */
const SUBSCRIBER_GRACE_MS = 20_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ended = (t: LedgerTrip) => t.status === 'COMPLETED' || t.status === 'ABORTED';

/** Every service ready and every fleet driver free: the previous wave has fully settled. */
export async function waitForQuietSystem(ctx: WaveContext): Promise<void> {
  await Promise.all(appServices.map((s) => ctx.supervisor.ready(s.name)));
  const fleet = new Set(ctx.groups.flatMap((g) => g.driverCodes));
  await waitFor(
    async () => {
      const res = await ctx.system.query<{ drivers: Array<{ code: string; isAcceptingRides: boolean }> }>(
        '{ drivers(limit: 200) { code isAcceptingRides } }',
      );
      const busy = res.data?.drivers
        .filter((d) => fleet.has(d.code) && !d.isAcceptingRides)
        .map((d) => d.code);
      if (busy?.length !== 0) throw new Error(`busy: ${busy?.join(', ') ?? JSON.stringify(res.errors)}`);
      return true;
    },
    { timeoutMs: 120_000, intervalMs: 500, what: 'every fleet driver to be free' },
  );
}

/** Requests a trip per fleet driver, each watched from the moment it exists (afterVersion 0). */
export async function requestWatchedTrips(ctx: WaveContext, watchers: TripWatcher[]): Promise<string[]> {
  return mapLimit(fleetTrips(ctx.groups, ctx.passengerCodes), 8, async (input, i) => {
    const trip = await tripsApi(ctx.requestThrough?.(i) ?? ctx.system).request(input);
    watchers[i] = ctx.watch(trip.code, input.passengerCode);
    return trip.code;
  });
}

/** Until `share` of the trips are on the road; a slow start still gets its fault (the checks tell). */
export async function waitForTripsOnTheRoad(watchers: TripWatcher[], share: number): Promise<void> {
  const wanted = Math.ceil(watchers.length * share);
  await waitFor(() => watchers.filter((w) => ON_THE_ROAD.has(w.lastEvent ?? '')).length >= wanted, {
    timeoutMs: 120_000,
    intervalMs: 100,
  }).catch(() => undefined);
}

/**
 * Until every trip has ended and every subscriber has seen its end, or the subscribers that have not
 * are past a grace period after the last trip ended (stuck), or the deadline. Returns the trips.
 */
export async function waitForWaveEnd(
  ctx: WaveContext,
  codes: string[],
  watchers: TripWatcher[],
  deadline: number,
): Promise<LedgerTrip[]> {
  let allEndedAt: number | undefined;
  for (;;) {
    const subscribersDone = watchers.every((w) => w.completed);
    // The gateway may be restarting: a failed read is just "not yet".
    const ledger = await readLedger(ctx.system, codes).catch(() => undefined);
    if (ledger?.every(ended)) {
      allEndedAt ??= Date.now();
      if (subscribersDone || Date.now() - allEndedAt >= SUBSCRIBER_GRACE_MS) return ledger;
    }
    if (Date.now() >= deadline)
      return ledger ?? waitFor(() => readLedger(ctx.system, codes), { timeoutMs: 60_000, intervalMs: 1_000 });
    await sleep(subscribersDone ? 500 : 3_000);
  }
}

/** The archive and the facts, once their consumers have handled everything produced so far. */
export async function readStoredWhenCaughtUp(ctx: WaveContext, codes: string[]): Promise<StoredEvidence> {
  const ends = await waitFor(() => topicEnds(ctx.system.prefix), { timeoutMs: 60_000, intervalMs: 500 });
  await waitFor(
    async () => (await groupsBehind(ctx.system.prefix, ends, ['archiver', 'trips-reporting'])).length === 0,
    { timeoutMs: 60_000, intervalMs: 500 },
  ).catch(() => undefined); // a consumer that never catches up shows as missing archive or facts
  return readStored(ctx.dbs, codes);
}
