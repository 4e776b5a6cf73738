import mongoose from 'mongoose';
import type { LatLon } from '@rideshare/common';
import type { TerminalTripStatus, TripEventEnvelope } from '@rideshare/events';
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
  /** The driver's last known position while the trip runs. */
  driverLocation: LatLon | null;
  /** Stored deadlines, so timers survive restarts: no accept by then aborts the trip. */
  acceptDeadline: Date | null;
  /** When the orchestrator next checks the running trip. */
  nextMonitorAt: Date | null;
}

/**
 * The trip event log, which is also the outbox. Inserting version N of a trip is how a writer claims
 * the change from N-1 to N: the unique `_id` (code:N) is atomic on every MongoDB-protocol server,
 * whereas a conditional findOneAndUpdate is not on FerretDB (two concurrent ones can both match).
 * The trip document is a projection of this log; the relay publishes unpublished entries to Kafka.
 */
export interface TripEventLogRecord {
  _id: string;
  code: string;
  version: number;
  /** The fields the change sets on the trip document (for version 1, the whole new trip). */
  set: Partial<TripRecord>;
  /** The history entry the change appends to `events`. */
  entry: TripEventRecord;
  envelope: TripEventEnvelope;
  published: boolean;
  createdAt: Date;
}

/** Entity references resolved by the subgraphs that own them. */
export interface DriverRef {
  code: string;
}
export interface PassengerRef {
  code: string;
}

export interface TripUpdateRecord {
  event: TripEventType;
  version: number;
  occurredAt: Date;
  trip: TripRecord;
}

export interface TripHourStatsRecord {
  hour: string;
  completed: number;
  aborted: number;
  averageDurationSeconds: number | null;
}

export interface TripStatsRecord {
  total: number;
  byStatus: Array<{ status: TripStatus; count: number }>;
  completed: number;
  aborted: number;
  averageDurationSeconds: number | null;
  perHour: TripHourStatsRecord[];
}

/** The reporting projection: one flattened row per finished trip (the reference scenario's TripFact). */
export interface TripFactRecord {
  _id: string;
  version: number;
  status: TerminalTripStatus;
  mode: 'NORMAL' | 'DEMO';
  passengerCode: string;
  driverCode: string | null;
  carMake: string | null;
  carModel: string | null;
  carLicensePlate: string | null;
  source: LatLon;
  destination: LatLon;
  requestedAt: Date;
  acceptedAt: Date | null;
  startedAt: Date | null;
  endedAt: Date | null;
  /** UTC hour of endedAt, e.g. 2026-11-26T06:00:00.000Z, for the per-hour series. */
  hour: string;
  durationSeconds: number | null;
  monitorIterations: number;
  error: string | null;
}


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

/**
 * A trip document's `_id` is its code, so every lookup by code is a point read. `timerSlot` is where the
 * orchestrator finds the trip when its next deadline falls due (see `timers.ts`): FerretDB pushes only
 * equality down to PostgreSQL, so "due by now" is asked as "in one of the last few slots".
 */
export type TripDocument = TripRecord & { _id: string; timerSlot?: number | null };

const tripSchema = new mongoose.Schema<TripDocument>(
  {
    _id: { type: String, required: true },
    code: { type: String, required: true }, // unique through `_id`, which is the code
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
    driverLocation: { type: point, default: null },
    acceptDeadline: { type: Date, default: null },
    nextMonitorAt: { type: Date, default: null },
    timerSlot: { type: Number, default: null },
  },
  { versionKey: false },
);
// Every hot list is an equality on one of these fields (on FerretDB each index also gets a GIN index
// that serves its pushed-down equality; see tools/stack/src/mongo.ts); the order comes from requestedAt.
tripSchema.index({ status: 1, requestedAt: -1 });
tripSchema.index({ driverCode: 1, requestedAt: -1 });
tripSchema.index({ passengerCode: 1, requestedAt: -1 });
tripSchema.index({ timerSlot: 1 });

/** One document per driver on an active trip: the unique _id makes "never on two trips" atomic. */
export interface DriverAssignmentRecord {
  _id: string;
  tripCode: string;
  assignedAt: Date;
}
const assignmentSchema = new mongoose.Schema<DriverAssignmentRecord>(
  {
    _id: { type: String, required: true },
    tripCode: { type: String, required: true },
    assignedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

const eventLogSchema = new mongoose.Schema<TripEventLogRecord>(
  {
    _id: { type: String, required: true },
    code: { type: String, required: true },
    version: { type: Number, required: true },
    set: { type: mongoose.Schema.Types.Mixed, required: true },
    entry: { type: mongoose.Schema.Types.Mixed, required: true },
    envelope: { type: mongoose.Schema.Types.Mixed, required: true },
    published: { type: Boolean, default: false },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
// The outbox relay's poll: the few unpublished entries, found through the index, however long the log.
eventLogSchema.index({ published: 1 });
eventLogSchema.index({ code: 1, version: 1 });

const factSchema = new mongoose.Schema<TripFactRecord>(
  {
    _id: { type: String, required: true },
    version: { type: Number, required: true },
    status: { type: String, required: true },
    mode: { type: String, required: true },
    passengerCode: { type: String, required: true },
    driverCode: { type: String, default: null },
    carMake: { type: String, default: null },
    carModel: { type: String, default: null },
    carLicensePlate: { type: String, default: null },
    source: { type: point, required: true },
    destination: { type: point, required: true },
    requestedAt: { type: Date, required: true },
    acceptedAt: { type: Date, default: null },
    startedAt: { type: Date, default: null },
    endedAt: { type: Date, default: null },
    hour: { type: String, required: true },
    durationSeconds: { type: Number, default: null },
    monitorIterations: { type: Number, required: true },
    error: { type: String, default: null },
  },
  { versionKey: false },
);
factSchema.index({ status: 1, hour: -1 });

export function tripModels(conn: mongoose.Connection) {
  return {
    Trips: conn.model<TripDocument>('Trip', tripSchema, 'trips'),
    DriverAssignments: conn.model<DriverAssignmentRecord>(
      'DriverAssignment',
      assignmentSchema,
      'driver_assignments',
    ),
    TripFacts: conn.model<TripFactRecord>('TripFact', factSchema, 'trip_facts'),
    TripEventLog: conn.model<TripEventLogRecord>('TripEventLog', eventLogSchema, 'trip_event_log'),
  };
}

export type TripModels = ReturnType<typeof tripModels>;
