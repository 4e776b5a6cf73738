import DataLoader from 'dataloader';
import type { Identity } from '@rideshare/common';
import type { PassengerModels, PassengerRecord } from './models';
import { createPassengerStorage, type PassengerStorage } from './storage';

export interface Context {
  storage: PassengerStorage;
  /** The caller, as signed by the gateway; null for unsigned calls. */
  identity: Identity | null;
  /** Deduplicates the passenger lookups of one request (each a point read by `_id`). */
  passengerByCode: DataLoader<string, PassengerRecord | null>;
}

export function createContext(models: PassengerModels, identity: Identity | null): Context {
  const storage = createPassengerStorage(models);
  return {
    storage,
    identity,
    passengerByCode: new DataLoader<string, PassengerRecord | null>((codes) =>
      storage.getPassengersByCodes(codes),
    ),
  };
}
