import DataLoader from 'dataloader';
import type { DriverModels, DriverRecord } from './models';

export interface Context {
  models: DriverModels;
  /** Batches every driver lookup of one request into a single `$in` query. */
  driverByCode: DataLoader<string, DriverRecord | null>;
}

export function createContext(models: DriverModels): Context {
  return {
    models,
    driverByCode: new DataLoader(async (codes) => {
      const found = await models.Drivers.find({ code: { $in: [...codes] } }).lean<DriverRecord[]>();
      const byCode = new Map(found.map((d) => [d.code, d]));
      return codes.map((code) => byCode.get(code) ?? null);
    }),
  };
}
