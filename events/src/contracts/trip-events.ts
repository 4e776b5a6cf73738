import { z } from 'zod';
import { entityEventId, envelopeFields, geoPoint, isoDate, parseEnvelope } from './envelope';

// Each list equals an enum of subgraphs/trips/src/schema.graphql (events/tests/contracts.test.ts).

export const TRIP_EVENT_TYPES = [
  'TRIP_REQUESTED',
  'DRIVERS_NOTIFIED',
  'DRIVER_ASSIGNED',
  'TRIP_STARTED',
  'TRIP_RUNNING',
  'TRIP_COMPLETED',
  'TRIP_ABORTED',
] as const;
export type TripEventKind = (typeof TRIP_EVENT_TYPES)[number];

export const TRIP_STATUSES = [
  'REQUESTED',
  'DRIVERS_NOTIFIED',
  'DRIVER_ASSIGNED',
  'STARTED',
  'RUNNING',
  'COMPLETED',
  'ABORTED',
] as const;
export type TripStatusValue = (typeof TRIP_STATUSES)[number];

export const TRIP_TYPES = ['NORMAL', 'DEMO'] as const;
export type TripTypeValue = (typeof TRIP_TYPES)[number];

/** A trip in one of these has ended: nothing follows (the `endValues` of `tripUpdated`'s @live). */
export const TERMINAL_TRIP_STATUSES = ['COMPLETED', 'ABORTED'] as const;
export type TerminalTripStatus = (typeof TERMINAL_TRIP_STATUSES)[number];
export type ActiveTripStatus = Exclude<TripStatusValue, TerminalTripStatus>;

export const isTerminalTripStatus = (status: string): status is TerminalTripStatus =>
  (TERMINAL_TRIP_STATUSES as readonly string[]).includes(status);

export const isActiveTripStatus = (status: string): status is ActiveTripStatus =>
  (TRIP_STATUSES as readonly string[]).includes(status) && !isTerminalTripStatus(status);

/** Every status a trip has before it ends, in lifecycle order. */
export const ACTIVE_TRIP_STATUSES: readonly ActiveTripStatus[] = TRIP_STATUSES.filter(isActiveTripStatus);

/** CloudEvents `type` for each trip event (the names in the issue: TripRequested, TripDriversNotified …). */
export const CLOUD_EVENT_TYPE: Record<TripEventKind, string> = {
  TRIP_REQUESTED: 'rideshare.trip.TripRequested',
  DRIVERS_NOTIFIED: 'rideshare.trip.TripDriversNotified',
  DRIVER_ASSIGNED: 'rideshare.trip.TripDriverAssigned',
  TRIP_STARTED: 'rideshare.trip.TripStarted',
  TRIP_RUNNING: 'rideshare.trip.TripRunning',
  TRIP_COMPLETED: 'rideshare.trip.TripCompleted',
  TRIP_ABORTED: 'rideshare.trip.TripAborted',
};

/** The trip as it was right after the event (the snapshot every consumer works from). */
export const tripSnapshotSchema = z.object({
  code: z.string().min(1).max(40),
  type: z.enum(TRIP_TYPES),
  status: z.enum(TRIP_STATUSES),
  passengerCode: z.string().min(1),
  driverCode: z.string().nullable(),
  availableDriverCodes: z.array(z.string()),
  source: geoPoint,
  destination: geoPoint,
  driverLocation: geoPoint.nullable(),
  requestedAt: isoDate,
  acceptedAt: isoDate.nullable(),
  startedAt: isoDate.nullable(),
  endedAt: isoDate.nullable(),
  durationSeconds: z.number().nullable(),
  monitorIterations: z.number().int().min(0),
  error: z.string().nullable(),
  version: z.number().int().min(1),
});
export type TripSnapshot = z.infer<typeof tripSnapshotSchema>;

/** A CloudEvents 1.0 envelope (structured JSON mode) carrying one trip event. */
export const tripEventSchema = z
  .object({
    ...envelopeFields,
    type: z.enum(Object.values(CLOUD_EVENT_TYPE) as [string, ...string[]]),
    data: z.object({
      event: z.enum(TRIP_EVENT_TYPES),
      version: z.number().int().min(1),
      trip: tripSnapshotSchema,
    }),
  })
  .refine(
    (e) =>
      e.subject === e.data.trip.code &&
      e.data.version === e.data.trip.version &&
      CLOUD_EVENT_TYPE[e.data.event] === e.type,
    {
      message: 'subject, type and version must agree with the trip snapshot',
    },
  );
export type TripEventEnvelope = z.infer<typeof tripEventSchema>;

export const tripEventId = entityEventId;

export function createTripEvent(
  event: TripEventKind,
  trip: TripSnapshot,
  source: string,
  time: Date,
): TripEventEnvelope {
  return {
    specversion: '1.0',
    id: tripEventId(trip.code, trip.version),
    type: CLOUD_EVENT_TYPE[event],
    source,
    subject: trip.code,
    time: time.toISOString(),
    datacontenttype: 'application/json',
    data: { event, version: trip.version, trip },
  };
}

/** Parses and validates a trip-events message value; throws InvalidEventError naming what was wrong. */
export const parseTripEvent = (value: Buffer | string | null): TripEventEnvelope =>
  parseEnvelope(tripEventSchema, 'trip event', value);
