import DataLoader from 'dataloader';
import type { Identity } from '@rideshare/common';
import type { PassengerModels, PassengerRecord } from './models';

export interface Context {
  models: PassengerModels;
  /** The caller, as signed by the gateway; null for unsigned calls. */
  identity: Identity | null;
  /** Batches every passenger lookup of one request into a single `$in` query. */
  passengerByCode: DataLoader<string, PassengerRecord | null>;
}

export function createContext(models: PassengerModels, identity: Identity | null): Context {
  return {
    models,
    identity,
    passengerByCode: new DataLoader(async (codes) => {
      const found = await models.Passengers.find({ code: { $in: [...codes] } }).lean<PassengerRecord[]>();
      const byCode = new Map(found.map((p) => [p.code, p]));
      return codes.map((code) => byCode.get(code) ?? null);
    }),
  };
}
