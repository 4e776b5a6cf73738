import DataLoader from 'dataloader';
import { findByIds, type Identity } from '@rideshare/common';
import type { TripModels, TripRecord } from './models';
import type { LifecycleConfig } from './lifecycle/config';
import type { OutboxNudge } from './lifecycle/store';
import type { PassengerDirectory } from './passengers';

export interface Context {
  models: TripModels;
  /** The caller, as signed by the gateway; null for unsigned calls. */
  identity: Identity | null;
  passengers: PassengerDirectory;
  lifecycle: LifecycleConfig;
  /** Wakes the outbox relay after a committed change. */
  nudge: OutboxNudge;
  /** Deduplicates the trip lookups of one request (each a point read by `_id`). */
  tripByCode: DataLoader<string, TripRecord | null>;
}

export function createContext(
  models: TripModels,
  passengers: PassengerDirectory,
  lifecycle: LifecycleConfig,
  nudge: OutboxNudge,
  identity: Identity | null,
): Context {
  return {
    models,
    identity,
    passengers,
    lifecycle,
    nudge,
    tripByCode: new DataLoader<string, TripRecord | null>((codes) => findByIds(models.Trips, codes)),
  };
}
