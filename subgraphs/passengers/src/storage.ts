import { findByIds } from '@rideshare/common';
import type { PassengerDocument, PassengerModels, PassengerRecord } from './models';

export type PassengerChange = Partial<
  Pick<PassengerRecord, 'firstName' | 'lastName' | 'email' | 'mobileNumber'>
>;

export interface PassengerStorage {
  /** For the DataLoader: one result per code, in order, null where unknown. */
  getPassengersByCodes(codes: readonly string[]): Promise<Array<PassengerRecord | null>>;
  /** Passengers by code (an admin's list; it reads the collection in code order). */
  listPassengers(limit: number): Promise<PassengerRecord[]>;
  /** Throws a duplicate-key error when the code or the email is taken. */
  createPassenger(passenger: Omit<PassengerDocument, 'createdAt' | 'updatedAt'>): Promise<PassengerRecord>;
  /** The passenger after the change, or null when there is none. Throws on a taken email. */
  updatePassenger(code: string, change: PassengerChange): Promise<PassengerRecord | null>;
  codeTaken(code: string): Promise<boolean>;
}

/**
 * The only place that knows how passengers are stored: each under its code as `_id`, so every lookup
 * is a point read. A profile has one writer at a time (its passenger, or an admin), so a change is a
 * plain `$set`; the versioned store the drivers use is not, because a change that breaks the unique
 * email must be refused before it is logged, and FerretDB reports that only when it is written.
 */
export function createPassengerStorage(models: PassengerModels): PassengerStorage {
  const { Passengers } = models;
  return {
    getPassengersByCodes: (codes) => findByIds(Passengers, codes),
    listPassengers: (limit) =>
      Passengers.find().sort({ _id: 1 }).limit(limit).lean<PassengerRecord[]>().exec(),
    createPassenger: async (passenger) => (await Passengers.create(passenger)).toObject(),
    updatePassenger: (code, change) =>
      Passengers.findByIdAndUpdate(code, { $set: change }, { new: true }).lean<PassengerRecord>().exec(),
    codeTaken: async (code) => (await Passengers.exists({ _id: code })) !== null,
  };
}
