import { haversineKm, KM_PER_MILE } from '@rideshare/common';
import type { LifecycleConfig } from '../lifecycle/config';
import type { TripChange } from '../lifecycle/transitions';
import type { TripRecord } from '../models';
import type { DriversClient } from '../drivers-client';

/** Decides what a trip that offered its ride needs once its accept window has passed. */
export function decideAcceptTimeout(trip: TripRecord, now: Date, config: LifecycleConfig): TripChange | null {
  if (trip.status !== 'DRIVERS_NOTIFIED' || !trip.acceptDeadline || trip.acceptDeadline > now) return null;
  return {
    event: 'TRIP_ABORTED',
    reason: `No driver accepted the trip within ${Math.round(config.acceptWindowMs / 1000)} s`,
  };
}

/** Decides a requested trip's offer: drivers near the source, or an abort when there are none. */
export async function decideOffer(
  trip: TripRecord,
  now: Date,
  config: LifecycleConfig,
  drivers: DriversClient,
): Promise<TripChange | null> {
  if (trip.status !== 'REQUESTED') return null;
  const codes = await drivers.near(
    trip.source,
    config.searchRadiusMiles * KM_PER_MILE,
    config.maxDriversNotified,
  );
  if (codes.length === 0)
    return {
      event: 'TRIP_ABORTED',
      reason: `No drivers available within ${config.searchRadiusMiles} miles of the pickup point`,
    };
  return {
    event: 'DRIVERS_NOTIFIED',
    driverCodes: codes,
    acceptDeadline: new Date(now.getTime() + config.acceptWindowMs),
  };
}

/**
 * One monitor pass (the reference scenario's TripMonitor): first pass starts the trip, later passes
 * report the driver's position, complete on arrival, or abort after the maximum number of checks.
 */
export async function decideMonitor(
  trip: TripRecord,
  now: Date,
  config: LifecycleConfig,
  drivers: DriversClient,
): Promise<TripChange | null> {
  if (!trip.nextMonitorAt || trip.nextMonitorAt > now || !trip.driverCode) return null;
  const next = new Date(now.getTime() + config.monitorIntervalMs);
  const driver = await drivers.get(trip.driverCode);
  if (!driver) return { event: 'TRIP_ABORTED', reason: `Driver ${trip.driverCode} no longer exists` };
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
