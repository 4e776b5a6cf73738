import DataLoader from 'dataloader';
import type { Identity } from '@rideshare/common';
import type { DriverRecord } from './models';
import type { DriverStorage } from './storage';
import type { TripsDirectory } from './trips-client';

export interface Context {
  storage: DriverStorage;
  /** The caller, as signed by the gateway; null for unsigned calls (only `__typename`, `_service` work). */
  identity: Identity | null;
  /** Deduplicates the driver lookups of one request (each a point read by `_id`). */
  driverByCode: DataLoader<string, DriverRecord | null>;
  /** The passenger of each driver's current trip, asked of the trips service once per request. */
  currentPassenger: DataLoader<string, string | null>;
}

export function createContext(
  storage: DriverStorage,
  trips: TripsDirectory,
  identity: Identity | null,
): Context {
  return {
    storage,
    identity,
    driverByCode: new DataLoader<string, DriverRecord | null>((codes) => storage.getDriversByCodes(codes)),
    currentPassenger: new DataLoader<string, string | null>((codes) => trips.currentPassengers(codes)),
  };
}
