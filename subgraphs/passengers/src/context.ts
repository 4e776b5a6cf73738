import DataLoader from 'dataloader';
import { findByIds, type Identity } from '@rideshare/common';
import type { PassengerModels, PassengerRecord } from './models';

export interface Context {
  models: PassengerModels;
  /** The caller, as signed by the gateway; null for unsigned calls. */
  identity: Identity | null;
  /** Deduplicates the passenger lookups of one request (each a point read by `_id`). */
  passengerByCode: DataLoader<string, PassengerRecord | null>;
}

export function createContext(models: PassengerModels, identity: Identity | null): Context {
  return {
    models,
    identity,
    passengerByCode: new DataLoader<string, PassengerRecord | null>((codes) =>
      findByIds(models.Passengers, codes),
    ),
  };
}
