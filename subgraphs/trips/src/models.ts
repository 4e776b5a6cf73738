import mongoose from 'mongoose';
import type { LatLon } from '@rideshare/common';
import type { TripEventType, TripStatus, TripType } from './generated/resolvers-types';

export interface TripEventRecord {
  type: TripEventType;
  version: number;
  occurredAt: Date;
  status: TripStatus;
}

export interface TripRecord {
  code: string;
  type: TripType;
  status: TripStatus;
  passengerCode: string;
  driverCode: string | null;
  availableDriverCodes: string[];
  source: LatLon;
  destination: LatLon;
  requestedAt: Date;
  acceptedAt: Date | null;
  startedAt: Date | null;
  endedAt: Date | null;
  durationSeconds: number | null;
  monitorIterations: number;
  error: string | null;
  version: number;
  events: TripEventRecord[];
}

/** Entity references resolved by the subgraphs that own them. */
export interface DriverRef {
  code: string;
}
export interface PassengerRef {
  code: string;
}

export interface TripStatsRecord {
  total: number;
  byStatus: Array<{ status: TripStatus; count: number }>;
  averageDurationSeconds: number | null;
}

export const ACTIVE_STATUSES: TripStatus[] = [
  'REQUESTED',
  'DRIVERS_NOTIFIED',
  'DRIVER_ASSIGNED',
  'STARTED',
  'RUNNING',
];

const point = new mongoose.Schema(
  { latitude: { type: Number, required: true }, longitude: { type: Number, required: true } },
  { _id: false },
);
const eventSchema = new mongoose.Schema(
  {
    type: { type: String, required: true },
    version: { type: Number, required: true },
    occurredAt: { type: Date, required: true },
    status: { type: String, required: true },
  },
  { _id: false },
);

const tripSchema = new mongoose.Schema<TripRecord>(
  {
    code: { type: String, required: true, unique: true },
    type: { type: String, required: true },
    status: { type: String, required: true },
    passengerCode: { type: String, required: true },
    driverCode: { type: String, default: null },
    availableDriverCodes: { type: [String], default: [] },
    source: { type: point, required: true },
    destination: { type: point, required: true },
    requestedAt: { type: Date, required: true },
    acceptedAt: { type: Date, default: null },
    startedAt: { type: Date, default: null },
    endedAt: { type: Date, default: null },
    durationSeconds: { type: Number, default: null },
    monitorIterations: { type: Number, default: 0 },
    error: { type: String, default: null },
    version: { type: Number, required: true },
    events: { type: [eventSchema], default: [] },
  },
  { versionKey: false },
);
tripSchema.index({ status: 1, requestedAt: -1 });
tripSchema.index({ driverCode: 1, requestedAt: -1 });
tripSchema.index({ passengerCode: 1, requestedAt: -1 });

export function tripModels(conn: mongoose.Connection) {
  return { Trips: conn.model<TripRecord>('Trip', tripSchema, 'trips') };
}

export type TripModels = ReturnType<typeof tripModels>;
