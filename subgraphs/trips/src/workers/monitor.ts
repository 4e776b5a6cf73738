import type { LifecycleConfig } from '../lifecycle/config';
import { monitorChange, monitorCheckDriver, offerChange, offerSearch } from '../lifecycle/decisions';
import type { TripChange } from '../lifecycle/transitions';
import type { TripRecord } from '../models';
import type { DriversClient } from '../drivers-client';

// The decisions that need the drivers service: each asks it only when the pure decision will use the answer.

/** A lifecycle decision that may ask the drivers service: the change to make now, or null for none. */
export type DriversDecision = (
  trip: TripRecord,
  now: Date,
  config: LifecycleConfig,
  drivers: DriversClient,
) => Promise<TripChange | null>;

/** Decides a requested trip's offer: drivers near the source, or an abort when there are none. */
export const decideOffer: DriversDecision = async (trip, now, config, drivers) => {
  const search = offerSearch(trip, config);
  if (!search) return null;
  const codes = await drivers.near(search.location, search.radiusKm, search.limit);
  return offerChange(trip, now, config, codes);
};

/** One monitor pass, with the driver's current position from the drivers service. */
export const decideMonitor: DriversDecision = async (trip, now, config, drivers) => {
  const driverCode = monitorCheckDriver(trip, now);
  if (driverCode === null) return null;
  return monitorChange(trip, now, config, await drivers.get(driverCode));
};
