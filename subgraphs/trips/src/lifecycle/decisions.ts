import { haversineKm, KM_PER_MILE, type LatLon } from '@rideshare/common';
import { isTerminalTripStatus, type TripEventKind, type TripSnapshot } from '@rideshare/events';
import type { TripStatus } from '../generated/resolvers-types';
import type { TripRecord } from '../models';
import type { LifecycleConfig } from './config';
import type { TripChange } from './transitions';

// The orchestrator's decisions, without I/O: the workers fetch what a decision needs (nearby drivers,
// the driver's position, the driver's lock) and ask here, so every branch is unit-tested.

/** Which decision a passed deadline calls for, by the status the trip was scheduled under. */
export const deadlineDecision = (status: TripStatus): 'ACCEPT_TIMEOUT' | 'MONITOR' =>
  status === 'DRIVERS_NOTIFIED' ? 'ACCEPT_TIMEOUT' : 'MONITOR';

/** Whether the periodic full sweep of scheduled trips is due (the first pass always sweeps). */
export const sweepDue = (lastSweepMs: number, nowMs: number, sweepIntervalMs: number) =>
  nowMs - lastSweepMs >= sweepIntervalMs;

/** A trip that offered its ride and whose accept window has passed is aborted. */
export function acceptTimeoutChange(trip: TripRecord, now: Date, config: LifecycleConfig): TripChange | null {
  if (trip.status !== 'DRIVERS_NOTIFIED' || !trip.acceptDeadline || trip.acceptDeadline > now) return null;
  return {
    event: 'TRIP_ABORTED',
    reason: `No driver accepted the trip within ${Math.round(config.acceptWindowMs / 1000)} s`,
  };
}

export interface DriverSearch {
  location: LatLon;
  radiusKm: number;
  limit: number;
}

/** The driver search a requested trip's offer needs; null once the trip no longer waits for one. */
export function offerSearch(trip: TripRecord, config: LifecycleConfig): DriverSearch | null {
  if (trip.status !== 'REQUESTED') return null;
  return {
    location: trip.source,
    radiusKm: config.searchRadiusMiles * KM_PER_MILE,
    limit: config.maxDriversNotified,
  };
}

/** A requested trip is offered to the drivers found near its source, or aborted when there are none. */
export function offerChange(
  trip: TripRecord,
  now: Date,
  config: LifecycleConfig,
  nearbyDriverCodes: string[],
): TripChange | null {
  if (trip.status !== 'REQUESTED') return null;
  if (nearbyDriverCodes.length === 0)
    return {
      event: 'TRIP_ABORTED',
      reason: `No drivers available within ${config.searchRadiusMiles} miles of the pickup point`,
    };
  return {
    event: 'DRIVERS_NOTIFIED',
    driverCodes: nearbyDriverCodes,
    acceptDeadline: new Date(now.getTime() + config.acceptWindowMs),
  };
}

/** The driver a monitor check has to look up; null when no check is due. */
export function monitorCheckDriver(trip: TripRecord, now: Date): string | null {
  if (!trip.nextMonitorAt || trip.nextMonitorAt > now || !trip.driverCode) return null;
  return trip.driverCode;
}

/**
 * One monitor check (the reference scenario's TripMonitor), given the driver as the drivers service
 * returned it (null: deleted): the first check starts the trip, later ones report the driver's
 * position, complete on arrival, or abort after the maximum number of checks.
 */
export function monitorChange(
  trip: TripRecord,
  now: Date,
  config: LifecycleConfig,
  driver: { location: LatLon | null } | null,
): TripChange | null {
  if (monitorCheckDriver(trip, now) === null) return null;
  if (!driver) return { event: 'TRIP_ABORTED', reason: `Driver ${trip.driverCode} no longer exists` };
  const next = new Date(now.getTime() + config.monitorIntervalMs);
  const driverLocation = driver.location;
  if (trip.status === 'DRIVER_ASSIGNED')
    return { event: 'TRIP_STARTED', driverLocation, nextMonitorAt: next };
  if (trip.status !== 'STARTED' && trip.status !== 'RUNNING') return null;
  if (driverLocation && haversineKm(driverLocation, trip.destination) * 1000 <= config.arrivalDistanceM) {
    return { event: 'TRIP_COMPLETED', driverLocation };
  }
  if (trip.monitorIterations >= config.monitorMaxChecks) {
    return {
      event: 'TRIP_ABORTED',
      reason: `Trip did not complete within ${config.monitorMaxChecks} checks (${Math.round((config.monitorMaxChecks * config.monitorIntervalMs) / 1000)} s)`,
    };
  }
  return { event: 'TRIP_RUNNING', driverLocation, nextMonitorAt: next };
}

const AVAILABILITY_EVENTS: TripEventKind[] = ['DRIVER_ASSIGNED', 'TRIP_COMPLETED', 'TRIP_ABORTED'];

/** The driver whose availability this event may change; null for events that change none. */
export function availabilityDriver(event: TripEventKind, trip: Pick<TripSnapshot, 'driverCode'>) {
  return trip.driverCode && AVAILABILITY_EVENTS.includes(event) ? trip.driverCode : null;
}

/**
 * Whether the driver accepts rides, from their lock (held while on an active trip). Order-independent:
 * a finished trip's own lock is released only after its final event is logged, so it no longer counts.
 */
export function driverAvailable(
  lock: { tripCode: string } | null,
  trip: Pick<TripSnapshot, 'code' | 'status'>,
): boolean {
  const busy = lock !== null && !(isTerminalTripStatus(trip.status) && lock.tripCode === trip.code);
  return !busy;
}
