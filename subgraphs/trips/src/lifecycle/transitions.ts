import type { LatLon } from '@rideshare/common';
import type { TripEventKind, TripSnapshot } from '@rideshare/events';
import type { TripStatus } from '../generated/resolvers-types';
import { ACTIVE_TRIP_STATUSES } from '@rideshare/events';
import type { TripRecord } from '../models';

/** Every change the lifecycle can make to a trip; each one is exactly one event. */
export type TripChange =
  | { event: 'DRIVERS_NOTIFIED'; driverCodes: string[]; acceptDeadline: Date }
  | { event: 'DRIVER_ASSIGNED'; driverCode: string; nextMonitorAt: Date }
  | { event: 'TRIP_STARTED'; driverLocation: LatLon | null; nextMonitorAt: Date }
  | { event: 'TRIP_RUNNING'; driverLocation: LatLon | null; nextMonitorAt: Date }
  | { event: 'TRIP_COMPLETED'; driverLocation: LatLon | null }
  | { event: 'TRIP_ABORTED'; reason: string };

const STATUS_AFTER: Record<TripEventKind, TripStatus> = {
  TRIP_REQUESTED: 'REQUESTED',
  DRIVERS_NOTIFIED: 'DRIVERS_NOTIFIED',
  DRIVER_ASSIGNED: 'DRIVER_ASSIGNED',
  TRIP_STARTED: 'STARTED',
  TRIP_RUNNING: 'RUNNING',
  TRIP_COMPLETED: 'COMPLETED',
  TRIP_ABORTED: 'ABORTED',
};

/** Which statuses each change may start from (the lifecycle in DESIGN.md). */
const ALLOWED_FROM: Record<TripChange['event'], TripStatus[]> = {
  DRIVERS_NOTIFIED: ['REQUESTED'],
  DRIVER_ASSIGNED: ['DRIVERS_NOTIFIED'],
  TRIP_STARTED: ['DRIVER_ASSIGNED'],
  TRIP_RUNNING: ['STARTED', 'RUNNING'],
  TRIP_COMPLETED: ['STARTED', 'RUNNING'],
  TRIP_ABORTED: [...ACTIVE_TRIP_STATUSES],
};

export type Transition =
  { ok: true; set: Partial<TripRecord>; next: TripRecord } | { ok: false; reason: string };

const seconds = (from: Date | null, to: Date) =>
  from ? Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000)) : null;

/** What every monitor check records: one more iteration, where the driver is, when to check next. */
const monitorTick = (trip: TripRecord, driverLocation: LatLon | null, nextMonitorAt: Date | null) => ({
  monitorIterations: trip.monitorIterations + 1,
  driverLocation,
  nextMonitorAt,
});

/** Pure: the fields a change sets and the trip after it, or why it is not allowed now. */
export function applyChange(trip: TripRecord, change: TripChange, now: Date): Transition {
  if (!ALLOWED_FROM[change.event].includes(trip.status)) {
    return { ok: false, reason: `trip ${trip.code} is ${trip.status}; ${change.event} is not possible` };
  }
  const status = STATUS_AFTER[change.event];
  const base = { status, version: trip.version + 1 };
  let set: Partial<TripRecord>;
  switch (change.event) {
    case 'DRIVERS_NOTIFIED':
      set = { ...base, availableDriverCodes: change.driverCodes, acceptDeadline: change.acceptDeadline };
      break;
    case 'DRIVER_ASSIGNED':
      set = {
        ...base,
        driverCode: change.driverCode,
        acceptedAt: now,
        acceptDeadline: null,
        nextMonitorAt: change.nextMonitorAt,
      };
      break;
    case 'TRIP_STARTED':
      set = { ...base, startedAt: now, ...monitorTick(trip, change.driverLocation, change.nextMonitorAt) };
      break;
    case 'TRIP_RUNNING':
      set = { ...base, ...monitorTick(trip, change.driverLocation, change.nextMonitorAt) };
      break;
    case 'TRIP_COMPLETED':
      set = {
        ...base,
        endedAt: now,
        ...monitorTick(trip, change.driverLocation, null),
        durationSeconds: seconds(trip.startedAt ?? trip.acceptedAt, now),
      };
      break;
    case 'TRIP_ABORTED':
      set = {
        ...base,
        endedAt: now,
        error: change.reason,
        acceptDeadline: null,
        nextMonitorAt: null,
        durationSeconds: seconds(trip.startedAt, now),
      };
      break;
  }
  return { ok: true, set, next: { ...trip, ...set } };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The trip as carried in events (dates as ISO strings, no internal bookkeeping). */
export function toSnapshot(trip: TripRecord): TripSnapshot {
  return {
    code: trip.code,
    type: trip.type,
    status: trip.status,
    passengerCode: trip.passengerCode,
    driverCode: trip.driverCode,
    availableDriverCodes: trip.availableDriverCodes,
    source: { latitude: trip.source.latitude, longitude: trip.source.longitude },
    destination: { latitude: trip.destination.latitude, longitude: trip.destination.longitude },
    driverLocation: trip.driverLocation
      ? { latitude: trip.driverLocation.latitude, longitude: trip.driverLocation.longitude }
      : null,
    requestedAt: trip.requestedAt.toISOString(),
    acceptedAt: iso(trip.acceptedAt),
    startedAt: iso(trip.startedAt),
    endedAt: iso(trip.endedAt),
    durationSeconds: trip.durationSeconds,
    monitorIterations: trip.monitorIterations,
    error: trip.error,
    version: trip.version,
  };
}
