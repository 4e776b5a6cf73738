import DataLoader from 'dataloader';
import { findByIds, type Identity } from '@rideshare/common';
import type { DriverModels, DriverRecord } from './models';

export interface Context {
  models: DriverModels;
  /** The caller, as signed by the gateway; null for unsigned calls (only `__typename`, `_service` work). */
  identity: Identity | null;
  /** Deduplicates the driver lookups of one request (each a point read by `_id`). */
  driverByCode: DataLoader<string, DriverRecord | null>;
}

export function createContext(models: DriverModels, identity: Identity | null): Context {
  return {
    models,
    identity,
    driverByCode: new DataLoader<string, DriverRecord | null>((codes) => findByIds(models.Drivers, codes)),
  };
}
