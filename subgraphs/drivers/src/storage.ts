import {
  createVersionedStore,
  findForEach,
  isDuplicateKeyError,
  type ChangeEntry,
  type ChangeSet,
  type LatLon,
} from '@rideshare/common';
import { cellsOf } from './geo-cells';
import type { DriverDocument, DriverLocationRecord, DriverModels, DriverRecord } from './models';

/** The fields a caller may change; `updatedAt` is stamped here. */
export type DriverChange = Partial<
  Pick<DriverRecord, 'firstName' | 'lastName' | 'car' | 'location' | 'isAcceptingRides'>
>;

/** A new driver as the resolvers validated it; version and timestamps are the storage's. */
export type NewDriver = Omit<DriverDocument, 'version' | 'createdAt' | 'updatedAt'>;

export interface DriverStorage {
  /** One driver at its latest logged change, or null. */
  getDriver(code: string): Promise<DriverRecord | null>;
  /** For the DataLoader: one result per code, in order, null where unknown. */
  getDriversByCodes(codes: readonly string[]): Promise<Array<DriverRecord | null>>;
  listDrivers(limit: number): Promise<DriverRecord[]>;
  listActiveDrivers(limit: number): Promise<DriverRecord[]>;
  /** Available drivers in any of these grid cells (see geo-cells.ts), each once. */
  availableInCells(cells: string[]): Promise<DriverRecord[]>;
  /** The new driver, or null when the code is taken. */
  createDriver(driver: NewDriver): Promise<DriverRecord | null>;
  /**
   * The driver after this change, or null when there is no such driver. May throw VersionConflictError.
   * A change of location is also an outbox entry: the location relay publishes it.
   */
  updateDriver(code: string, change: DriverChange): Promise<DriverRecord | null>;
  /** The moves not yet sent to Kafka (an indexed equality on the change log). */
  unpublishedMoves(): Promise<Array<ChangeEntry<DriverDocument>>>;
  markMovesPublished(entries: ReadonlyArray<Pick<ChangeEntry<DriverDocument>, '_id'>>): Promise<void>;
  /** Deletes the driver, its change log and its location history; false when there was none. */
  deleteDriver(code: string): Promise<boolean>;
  recordLocation(code: string, location: LatLon, recordedAt?: Date): Promise<void>;
  /** The driver's recorded locations, newest first. */
  locationHistory(code: string, limit: number): Promise<DriverLocationRecord[]>;
}

/**
 * The only place that knows how driver data is stored. Changes of a driver go through a versioned
 * store (common/src/versioned-log.ts): FerretDB applies `$set` as a read-modify-write, so two writers of
 * one driver (a location ping and an availability change, in any processes) would otherwise lose one.
 * Point reads are by `_id` and catch up from the change log; lists return documents as stored, which
 * lag the log only while a change is being projected (or until the next point read or change of a
 * driver whose writer died between logging and projecting). `onMove` runs after each committed move
 * (the relay's nudge).
 */
export function createDriverStorage(
  models: DriverModels,
  onMove: () => void = () => undefined,
): DriverStorage {
  const { Drivers, DriverChanges, DriverLocations } = models;
  const store = createVersionedStore<DriverDocument>({ documents: Drivers, changes: DriverChanges });

  // In code order: `_id` is the code, so its index serves the order.
  const list = (filter: { isAcceptingRides?: boolean }, limit: number) =>
    Drivers.find(filter).sort({ _id: 1 }).limit(limit).lean<DriverRecord[]>().exec();

  return {
    getDriver: (code) => store.read(code),
    getDriversByCodes: (codes) => Promise.all(codes.map((code) => store.read(code))),
    listDrivers: (limit) => list({}, limit),
    listActiveDrivers: (limit) => list({ isAcceptingRides: true }, limit),
    availableInCells: async (cells) => {
      const found = await findForEach(cells, (cell) =>
        Drivers.find({ cells: cell, isAcceptingRides: true }).lean<DriverRecord[]>().exec(),
      );
      return [...new Map(found.map((d) => [d.code, d])).values()];
    },
    createDriver: async (driver) => {
      const now = new Date();
      try {
        return await store.create({
          ...driver,
          cells: cellsOf(driver.location),
          createdAt: now,
          updatedAt: now,
        });
      } catch (err) {
        if (isDuplicateKeyError(err)) return null;
        throw err;
      }
    },
    updateDriver: async (code, change) => {
      const cells = change.location === undefined ? {} : { cells: cellsOf(change.location) };
      const set: ChangeSet<DriverDocument> = { ...change, ...cells, updatedAt: new Date() };
      // A move is claimed as an outbox entry in the same insert, so a committed move always reaches Kafka.
      const move = change.location != null;
      const updated = await store.change(code, () => set, { publish: move });
      if (move && updated) onMove();
      return updated;
    },
    unpublishedMoves: () => store.unpublished(),
    markMovesPublished: (entries) => store.markPublished(entries),
    deleteDriver: async (code) => {
      if (!(await store.remove(code))) return false;
      await DriverLocations.deleteMany({ driverCode: code }).exec();
      return true;
    },
    recordLocation: async (code, location, recordedAt = new Date()) => {
      await DriverLocations.create({ driverCode: code, location, recordedAt });
    },
    locationHistory: (code, limit) =>
      DriverLocations.find({ driverCode: code })
        .sort({ recordedAt: -1 })
        .limit(limit)
        .lean<DriverLocationRecord[]>()
        .exec(),
  };
}
