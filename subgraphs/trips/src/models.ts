import mongoose from 'mongoose';
import type { LatLon, TraceCarrier } from '@rideshare/common';
import type { TerminalTripStatus, TripEventEnvelope } from '@rideshare/events';
import type { TripEventType, TripStatus, TripType } from './generated/resolvers-types';

export interface TripEventRecord {
  type: TripEventType;
  version: number;
  occurredAt: Date;
  status: TripStatus;
}

/** Where a trip went and when each step happened: a trip and its reporting fact both carry these. */
export interface TripJourney {
  source: LatLon;
  destination: LatLon;
  requestedAt: Date;
  acceptedAt: Date | null;
  startedAt: Date | null;
  endedAt: Date | null;
}

export interface TripRecord extends TripJourney {
  code: string;
  type: TripType;
  status: TripStatus;
  passengerCode: string;
  driverCode: string | null;
  availableDriverCodes: string[];
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
  /** The trace context of the request or worker that made the change: the relay publishes under it. */
  trace?: TraceCarrier;
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
export interface TripFactRecord extends TripJourney {
  _id: string;
  version: number;
  status: TerminalTripStatus;
  mode: 'NORMAL' | 'DEMO';
  passengerCode: string;
  driverCode: string | null;
  carMake: string | null;
  carModel: string | null;
  carLicensePlate: string | null;
  /** UTC hour of endedAt, e.g. 2026-11-26T06:00:00.000Z, for the per-hour series. */
  hour: string;
  durationSeconds: number | null;
  monitorIterations: number;
  error: string | null;
}

// Field shorthands: most fields are a required value, or a nullable one that starts as null.
const required = <T>(type: T) => ({ type, required: true });
const nullable = <T>(type: T) => ({ type, default: null });

const point = new mongoose.Schema(
  { latitude: required(Number), longitude: required(Number) },
  { _id: false },
);
const eventSchema = new mongoose.Schema(
  {
    type: required(String),
    version: required(Number),
    occurredAt: required(Date),
    status: required(String),
  },
  { _id: false },
);

/** The schema of a TripJourney, for the trip and the fact schemas alike. */
const journey = () => ({
  source: required(point),
  destination: required(point),
  requestedAt: required(Date),
  acceptedAt: nullable(Date),
  startedAt: nullable(Date),
  endedAt: nullable(Date),
});

/**
 * A trip document's `_id` is its code, so every lookup by code is a point read. `timerSlot` is where the
 * orchestrator finds the trip when its next deadline falls due (see `timers.ts`): FerretDB pushes only
 * equality down to PostgreSQL, so "due by now" is asked as "in one of the last few slots".
 */
export type TripDocument = TripRecord & {
  _id: string;
  timerSlot?: number | null;
  /** The trace context of the write that made this version, so its deadlines continue that trace. */
  trace?: TraceCarrier | null;
};

const tripSchema = new mongoose.Schema<TripDocument>(
  {
    _id: required(String),
    code: required(String), // unique through `_id`, which is the code
    type: required(String),
    status: required(String),
    passengerCode: required(String),
    driverCode: nullable(String),
    availableDriverCodes: { type: [String], default: [] },
    ...journey(),
    durationSeconds: nullable(Number),
    monitorIterations: { type: Number, default: 0 },
    error: nullable(String),
    version: required(Number),
    events: { type: [eventSchema], default: [] },
    driverLocation: nullable(point),
    acceptDeadline: nullable(Date),
    nextMonitorAt: nullable(Date),
    timerSlot: nullable(Number),
    trace: { type: mongoose.Schema.Types.Mixed, default: null },
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
    _id: required(String),
    tripCode: required(String),
    assignedAt: required(Date),
  },
  { versionKey: false },
);

const eventLogSchema = new mongoose.Schema<TripEventLogRecord>(
  {
    _id: required(String),
    code: required(String),
    version: required(Number),
    set: required(mongoose.Schema.Types.Mixed),
    entry: required(mongoose.Schema.Types.Mixed),
    envelope: required(mongoose.Schema.Types.Mixed),
    published: { type: Boolean, default: false },
    createdAt: required(Date),
    trace: { type: mongoose.Schema.Types.Mixed },
  },
  { versionKey: false, minimize: false },
);
// The outbox relay's poll: the few unpublished entries, found through the index, however long the log.
eventLogSchema.index({ published: 1 });
eventLogSchema.index({ code: 1, version: 1 });

const factSchema = new mongoose.Schema<TripFactRecord>(
  {
    _id: required(String),
    version: required(Number),
    status: required(String),
    mode: required(String),
    passengerCode: required(String),
    driverCode: nullable(String),
    carMake: nullable(String),
    carModel: nullable(String),
    carLicensePlate: nullable(String),
    ...journey(),
    hour: required(String),
    durationSeconds: nullable(Number),
    monitorIterations: required(Number),
    error: nullable(String),
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
