import crypto from 'node:crypto';
import { z } from 'zod';

/**
 * KAFKA_NAMESPACE prefixes every topic and consumer group, so several systems (parallel test runs,
 * staging next to dev) can share one Kafka cluster without seeing each other's events.
 */
export const kafkaNamespace = process.env.KAFKA_NAMESPACE ? `${process.env.KAFKA_NAMESPACE}.` : '';

/** Topics. Trip events are keyed by trip code, so each trip's events stay in order. */
export const TOPICS = {
  tripEvents: `${kafkaNamespace}rideshare.trip-events`,
  tripEventsDeadLetter: `${kafkaNamespace}rideshare.trip-events.dlq`,
} as const;

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

const geoPoint = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
});
const isoDate = z.iso.datetime();

/** The trip as it was right after the event (the snapshot every consumer works from). */
export const tripSnapshotSchema = z.object({
  code: z.string().min(1).max(40),
  type: z.enum(['NORMAL', 'DEMO']),
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
    specversion: z.literal('1.0'),
    id: z.string().min(1),
    type: z.enum(Object.values(CLOUD_EVENT_TYPE) as [string, ...string[]]),
    source: z.string().min(1),
    subject: z.string().min(1),
    time: isoDate,
    datacontenttype: z.literal('application/json'),
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

/** Event ids are derived from trip and version, so a re-sent event is recognisably the same event. */
export const tripEventId = (code: string, version: number) => `${code}:${version}`;

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

export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

/** Parses and validates a Kafka message value; throws InvalidEventError naming what was wrong. */
export function parseTripEvent(value: Buffer | string | null): TripEventEnvelope {
  if (value === null) throw new InvalidEventError('message has no value');
  let json: unknown;
  try {
    json = JSON.parse(value.toString());
  } catch {
    throw new InvalidEventError('message value is not JSON');
  }
  const result = tripEventSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InvalidEventError(
      `invalid trip event: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  return result.data;
}

/** W3C trace context for a new trace (the `traceparent` header). */
export function newTraceparent(): string {
  return `00-${crypto.randomBytes(16).toString('hex')}-${crypto.randomBytes(8).toString('hex')}-01`;
}
