import type { IHeaders } from 'kafkajs';
import { parseTraceparent } from '@rideshare/common';

export { parseTraceparent };

/** The trace id of a Kafka message's `traceparent` header (one value; a repeated header is not valid). */
export function traceIdOf(headers: IHeaders | undefined): string | undefined {
  const header = headers?.traceparent;
  if (header === undefined || Array.isArray(header)) return undefined;
  return parseTraceparent(header.toString());
}
