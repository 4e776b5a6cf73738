import { fastLifecycleEnv } from '../trip-testing';
import { FLEET_SEARCH_RADIUS_MILES } from './fleet';

/**
 * The fault suite's lifecycle settings: fast trips, but windows far longer than any outage, so a trip
 * that aborts or never ends is the fault's doing, not a timer's.
 */
export const envForFaults: NodeJS.ProcessEnv = {
  ...fastLifecycleEnv,
  // One monitor pass a second: trips last long enough for a fault to land mid-trip.
  TRIP_MONITOR_INTERVAL_MS: '1000',
  TRIP_ACCEPT_WINDOW_MS: '300000',
  TRIP_MONITOR_MAX_CHECKS: '1000',
  // A trip is offered only the drivers of its own fleet group.
  TRIP_SEARCH_RADIUS_MILES: FLEET_SEARCH_RADIUS_MILES,
};
