import type { TripEventType, TripStatus } from '../gql/graphql';

/** The four steps the reference app shows a passenger, and the statuses that reach each. */
export const STEPS = [
  { id: 'requested', label: 'Requested', reachedBy: ['REQUESTED', 'DRIVERS_NOTIFIED'] },
  { id: 'driver-found', label: 'Driver found', reachedBy: ['DRIVER_ASSIGNED'] },
  { id: 'started', label: 'Trip started', reachedBy: ['STARTED', 'RUNNING'] },
  { id: 'arrived', label: 'Arrived', reachedBy: ['COMPLETED'] },
] as const satisfies ReadonlyArray<{ id: string; label: string; reachedBy: readonly TripStatus[] }>;

export type StepId = (typeof STEPS)[number]['id'];

/** How many of the four steps a trip in `status` has reached (0 when aborted before any). */
export function stepsReached(statuses: readonly TripStatus[]): number {
  let reached = 0;
  STEPS.forEach((step, index) => {
    if (statuses.some((s) => (step.reachedBy as readonly TripStatus[]).includes(s))) reached = index + 1;
  });
  return reached;
}

export const isFinished = (status: TripStatus) => status === 'COMPLETED' || status === 'ABORTED';

/** Readable names of the events, for the trip's timeline. */
export const EVENT_LABELS: Record<TripEventType, string> = {
  TRIP_REQUESTED: 'Trip requested',
  DRIVERS_NOTIFIED: 'Nearby drivers notified',
  DRIVER_ASSIGNED: 'Driver assigned',
  TRIP_STARTED: 'Trip started',
  TRIP_RUNNING: 'On the way',
  TRIP_COMPLETED: 'Arrived',
  TRIP_ABORTED: 'Trip aborted',
};
