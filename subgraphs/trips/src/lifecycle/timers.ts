import type { TripStatus } from '../generated/resolvers-types';
import type { TripRecord } from '../models';

/** Trips the orchestrator checks on a schedule once a driver is assigned. */
export const MONITORED: TripStatus[] = ['DRIVER_ASSIGNED', 'STARTED', 'RUNNING'];

/** Width of one timer slot. Deadlines within one slot are found by one equality query. */
export const TIMER_SLOT_MS = 1_000;

export const slotOf = (at: Date | number) => Math.floor(new Date(at).getTime() / TIMER_SLOT_MS);

/** The trip's next deadline: the accept window while offered, the next check while monitored. */
export function nextDeadline(trip: Pick<TripRecord, 'status' | 'acceptDeadline' | 'nextMonitorAt'>) {
  if (trip.status === 'DRIVERS_NOTIFIED') return trip.acceptDeadline;
  if (MONITORED.includes(trip.status)) return trip.nextMonitorAt;
  return null;
}

/** The slot the trip is filed under for its next deadline; null when nothing is scheduled. */
export function timerSlotOf(trip: Pick<TripRecord, 'status' | 'acceptDeadline' | 'nextMonitorAt'>) {
  const deadline = nextDeadline(trip);
  return deadline ? slotOf(deadline) : null;
}

/** How far back a pass looks beyond the last one it made (a write that landed late, a slow pass). */
const OVERLAP_SLOTS = 2;
/** A pass that fell further behind than this leaves the rest to the sweep. */
const MAX_SLOTS_PER_PASS = 60;

/**
 * The slots a pass reads: from just before the last slot covered up to now, so a deadline is seen on
 * the first pass after it falls due. Pure, so the scanner's arithmetic is unit-tested.
 */
export function slotsToScan(lastCovered: number | undefined, now: Date): number[] {
  const current = slotOf(now);
  const from = Math.max((lastCovered ?? current) - OVERLAP_SLOTS, current - MAX_SLOTS_PER_PASS + 1);
  return Array.from({ length: current - from + 1 }, (_, i) => from + i);
}

/** True when the trip's deadline has passed. */
export function isDue(trip: Pick<TripRecord, 'status' | 'acceptDeadline' | 'nextMonitorAt'>, now: Date) {
  const deadline = nextDeadline(trip);
  return deadline !== null && new Date(deadline).getTime() <= now.getTime();
}
