import DataLoader from 'dataloader';
import type { Identity } from '@rideshare/common';
import type { DriverRecord } from './models';
import type { DriverStorage } from './storage';

export interface Context {
  storage: DriverStorage;
  /** The caller, as signed by the gateway; null for unsigned calls (only `__typename`, `_service` work). */
  identity: Identity | null;
  /** Deduplicates the driver lookups of one request (each a point read by `_id`). */
  driverByCode: DataLoader<string, DriverRecord | null>;
}

export function createContext(storage: DriverStorage, identity: Identity | null): Context {
  return {
    storage,
    identity,
    driverByCode: new DataLoader<string, DriverRecord | null>((codes) => storage.getDriversByCodes(codes)),
  };
}
