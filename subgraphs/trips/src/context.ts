import DataLoader from 'dataloader';
import type { TripModels, TripRecord } from './models';
import type { PassengerDirectory } from './passengers';

export interface Context {
  models: TripModels;
  passengers: PassengerDirectory;
  /** Batches every trip lookup of one request into a single `$in` query. */
  tripByCode: DataLoader<string, TripRecord | null>;
}

export function createContext(models: TripModels, passengers: PassengerDirectory): Context {
  return {
    models,
    passengers,
    tripByCode: new DataLoader(async (codes) => {
      const found = await models.Trips.find({ code: { $in: [...codes] } }).lean<TripRecord[]>();
      const byCode = new Map(found.map((t) => [t.code, t]));
      return codes.map((code) => byCode.get(code) ?? null);
    }),
  };
}
