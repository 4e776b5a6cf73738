import { counter, scrapedGauge, sharedRead } from '@rideshare/common';
import { ACTIVE_TRIP_STATUSES, TRIP_STATUSES } from '@rideshare/events';
import type { TripFactRecord, TripModels } from './models';
import { countByStatus } from './trip-lists';

/** Why trips abort, as a small fixed set (the stored reason is free text, e.g. a cancel's own words). */
export const ABORT_REASONS = [
  'no_drivers',
  'not_accepted',
  'too_many_checks',
  'driver_gone',
  'cancelled',
  'other',
] as const;
export type AbortReason = (typeof ABORT_REASONS)[number];

// The reasons the lifecycle writes (lifecycle/decisions.ts, cancelTrip in resolvers.ts), by how they start.
const REASON_PATTERNS: Array<[RegExp, AbortReason]> = [
  [/^No drivers available/, 'no_drivers'],
  [/^No driver accepted/, 'not_accepted'],
  [/^Trip did not complete within/, 'too_many_checks'],
  [/^Driver \S+ no longer exists/, 'driver_gone'],
  [/^Cancelled:/, 'cancelled'],
];

/** The reason code of an aborted trip's error text. */
export function abortReason(error: string | null): AbortReason {
  return REASON_PATTERNS.find(([pattern]) => pattern.test(error ?? ''))?.[1] ?? 'other';
}

// Counted by the reporting projection when it stores a trip's fact: a unique insert, so each trip
// is counted once across replicas and redeliveries. Aggregate with sum.
const completed = counter({
  name: 'trips_completed_total',
  help: 'Trips that completed, counted once per trip by the reporting projection (aggregate with sum).',
});
const aborted = counter({
  name: 'trips_aborted_total',
  help: `Trips that were aborted, by reason (${ABORT_REASONS.join(', ')}), counted once per trip by the reporting projection (aggregate with sum).`,
  labelNames: ['reason'],
});

/** Counts a trip's outcome: call once, when its fact is first stored. */
export function countOutcome(fact: Pick<TripFactRecord, 'status' | 'error'>): void {
  if (fact.status === 'COMPLETED') completed.inc();
  else aborted.inc({ reason: abortReason(fact.error) });
}

const AGGREGATE =
  'Read from the trips database at scrape time; every trips replica reports the same, so aggregate with max.';

const byStatus = scrapedGauge({
  name: 'trips_by_status',
  help: `Trips by status. ${AGGREGATE}`,
  labelNames: ['status'],
});
const active = scrapedGauge({
  name: 'trips_active',
  help: `Trips not yet completed or aborted (the reference scenario's "Active trips"). ${AGGREGATE}`,
  labelNames: [],
});

/** Reports the trips by status (one indexed count per status) while the trips service runs; returns the stop. */
export function watchTripStatuses(models: TripModels): () => void {
  // Both gauges are collected in the same scrape: one set of counts serves both.
  const counts = sharedRead(async () => {
    const rows = await countByStatus(models, [...TRIP_STATUSES]);
    return new Map<string, number>(rows.map((r) => [r.status, r.count]));
  });
  const removers = [
    byStatus.addSource(async () => {
      const found = await counts();
      return TRIP_STATUSES.map((status) => ({ labels: { status }, value: found.get(status) ?? 0 }));
    }),
    active.addSource(async () => {
      const found = await counts();
      const value = ACTIVE_TRIP_STATUSES.reduce((sum, status) => sum + (found.get(status) ?? 0), 0);
      return [{ labels: {}, value }];
    }),
  ];
  return () => removers.forEach((remove) => remove());
}
