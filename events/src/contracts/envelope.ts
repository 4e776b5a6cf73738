import { z } from 'zod';

/** Pieces every CloudEvents 1.0 envelope (structured JSON mode) of ours shares. */
export const geoPoint = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
});
export const isoDate = z.iso.datetime();

export const envelopeFields = {
  specversion: z.literal('1.0'),
  id: z.string().min(1),
  source: z.string().min(1),
  subject: z.string().min(1),
  time: isoDate,
  datacontenttype: z.literal('application/json'),
};

/** Event ids are `<entity code>:<version>`, so a re-sent event is recognisably the same event. */
export const entityEventId = (code: string, version: number) => `${code}:${version}`;

export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

/** Parses and validates a Kafka message value; throws InvalidEventError naming what was wrong. */
export function parseEnvelope<T>(schema: z.ZodType<T>, what: string, value: Buffer | string | null): T {
  if (value === null) throw new InvalidEventError('message has no value');
  let json: unknown;
  try {
    json = JSON.parse(value.toString());
  } catch {
    throw new InvalidEventError('message value is not JSON');
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InvalidEventError(`invalid ${what}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return result.data;
}
