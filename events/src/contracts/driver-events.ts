import { z } from 'zod';
import { entityEventId, envelopeFields, geoPoint, parseEnvelope } from './envelope';

export const DRIVER_EVENT_TYPES = ['DRIVER_LOCATION_UPDATED'] as const;
export type DriverEventKind = (typeof DRIVER_EVENT_TYPES)[number];

/** CloudEvents `type` for each driver event. */
export const DRIVER_CLOUD_EVENT_TYPE = {
  DRIVER_LOCATION_UPDATED: 'rideshare.driver.DriverLocationUpdated',
} as const satisfies Record<DriverEventKind, string>;

export const DRIVER_EVENT_SOURCE = 'urn:rideshare:drivers';

/** A driver moved: `version` is the driver's version after the move (its change log's, with gaps). */
export const driverLocationUpdateSchema = z.object({
  code: z.string().min(1).max(40),
  version: z.number().int().min(1),
  location: geoPoint,
});
export type DriverLocationUpdate = z.infer<typeof driverLocationUpdateSchema>;

/** A CloudEvents 1.0 envelope (structured JSON mode) carrying one driver event. */
export const driverEventSchema = z
  .object({
    ...envelopeFields,
    type: z.literal(DRIVER_CLOUD_EVENT_TYPE.DRIVER_LOCATION_UPDATED),
    data: driverLocationUpdateSchema,
  })
  .refine((e) => e.subject === e.data.code && e.id === entityEventId(e.data.code, e.data.version), {
    message: 'subject and id must agree with the driver code and version',
  });
export type DriverEventEnvelope = z.infer<typeof driverEventSchema>;

/** The event of one location change; throws when the change does not make a valid event. */
export function createDriverLocationEvent(location: DriverLocationUpdate, time: Date): DriverEventEnvelope {
  return driverEventSchema.parse({
    specversion: '1.0',
    id: entityEventId(location.code, location.version),
    type: DRIVER_CLOUD_EVENT_TYPE.DRIVER_LOCATION_UPDATED,
    source: DRIVER_EVENT_SOURCE,
    subject: location.code,
    time: time.toISOString(),
    datacontenttype: 'application/json',
    data: location,
  });
}

/** Parses and validates a driver-events message value; throws InvalidEventError naming what was wrong. */
export const parseDriverEvent = (value: Buffer | string | null): DriverEventEnvelope =>
  parseEnvelope(driverEventSchema, 'driver event', value);
