import type { IHeaders } from 'kafkajs';

// W3C Trace Context, level 1: version-traceid-parentid-flags, lower-case hex. Version ff is invalid;
// version 00 has exactly these four fields, a later version may append more after a dash.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[^\s]*)?$/;
const ZEROS = /^0+$/;

/** The trace id a `traceparent` value names, or undefined when the value is not a valid one. */
export function parseTraceparent(value: string): string | undefined {
  const match = TRACEPARENT.exec(value.trim());
  if (!match) return undefined;
  const [, version, traceId, parentId, , rest] = match;
  if (version === undefined || traceId === undefined || parentId === undefined) return undefined;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (ZEROS.test(traceId) || ZEROS.test(parentId)) return undefined;
  return traceId;
}

/** The trace id of a Kafka message's `traceparent` header (one value; a repeated header is not valid). */
export function traceIdOf(headers: IHeaders | undefined): string | undefined {
  const header = headers?.traceparent;
  if (header === undefined || Array.isArray(header)) return undefined;
  return parseTraceparent(header.toString());
}
