import mongoose from 'mongoose';
import { changeLogSchema, type ChangeEntry, type LatLon } from '@rideshare/common';

export interface CarRecord {
  make: string;
  model: string;
  year: number;
  color: string;
  licensePlate: string;
}

export interface DriverRecord {
  code: string;
  firstName: string;
  lastName: string;
  car: CarRecord;
  location: LatLon | null;
  isAcceptingRides: boolean;
  /** Counts the changes logged in `driver_changes` (see storage.ts); missing (written before it, or by seeds) = 0. */
  version?: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface DriverLocationRecord {
  driverCode: string;
  location: LatLon;
  recordedAt: Date;
}

const point = { latitude: { type: Number, required: true }, longitude: { type: Number, required: true } };

/** `_id` is the code, so a lookup by code is a point read; `cells` serve the nearby search (geo-cells.ts). */
export type DriverDocument = DriverRecord & { _id: string; cells?: string[] };

const driverSchema = new mongoose.Schema<DriverDocument>(
  {
    _id: { type: String, required: true },
    code: { type: String, required: true }, // unique through `_id`, which is the code
    firstName: { type: String, required: true },
    lastName: { type: String, required: true },
    car: {
      make: { type: String, required: true },
      model: { type: String, required: true },
      year: { type: Number, required: true },
      color: { type: String, required: true },
      licensePlate: { type: String, required: true },
    },
    location: { type: new mongoose.Schema(point, { _id: false }), default: null },
    isAcceptingRides: { type: Boolean, default: true },
    version: { type: Number, default: 0 },
    cells: { type: [String], default: [] },
  },
  { timestamps: true, versionKey: false },
);
// driversNear reads the available drivers of a few grid cells, then computes exact distances.
driverSchema.index({ cells: 1, isAcceptingRides: 1 });

const locationSchema = new mongoose.Schema<DriverLocationRecord>(
  {
    driverCode: { type: String, required: true },
    location: { type: new mongoose.Schema(point, { _id: false }), required: true },
    recordedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
locationSchema.index({ driverCode: 1, recordedAt: -1 });

export function driverModels(conn: mongoose.Connection) {
  return {
    Drivers: conn.model<DriverDocument>('Driver', driverSchema, 'drivers'),
    // Also the outbox of driver events: a move is claimed with `published: false` (location-relay.ts).
    DriverChanges: conn.model<ChangeEntry<DriverDocument>>(
      'DriverChange',
      changeLogSchema<DriverDocument>({ outbox: true }),
      'driver_changes',
    ),
    DriverLocations: conn.model<DriverLocationRecord>('DriverLocation', locationSchema, 'driver_locations'),
  };
}

export type DriverModels = ReturnType<typeof driverModels>;
