import DataLoader from 'dataloader';
import type { Identity } from '@rideshare/common';
import type { DriverModels, DriverRecord } from './models';

export interface Context {
  models: DriverModels;
  /** The caller, as signed by the gateway; null for unsigned calls (only `__typename`, `_service` work). */
  identity: Identity | null;
  /** Batches every driver lookup of one request into a single `$in` query. */
  driverByCode: DataLoader<string, DriverRecord | null>;
}

export function createContext(models: DriverModels, identity: Identity | null): Context {
  return {
    models,
    identity,
    driverByCode: new DataLoader(async (codes) => {
      const found = await models.Drivers.find({ code: { $in: [...codes] } }).lean<DriverRecord[]>();
      const byCode = new Map(found.map((d) => [d.code, d]));
      return codes.map((code) => byCode.get(code) ?? null);
    }),
  };
}
