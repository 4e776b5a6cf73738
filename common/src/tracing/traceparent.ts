// W3C Trace Context, level 1: version-traceid-parentid-flags, lower-case hex. Version ff is invalid;
// version 00 has exactly these four fields, a later version may append more after a dash.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[^\s]*)?$/;
const ZEROS = /^0+$/;

/**
 * The trace id a `traceparent` value names, or undefined when the value is not a valid one. A strict
 * parse that needs no tracer: trace links are made also where tracing is off.
 */
export function parseTraceparent(value: string): string | undefined {
  const match = TRACEPARENT.exec(value.trim());
  if (!match) return undefined;
  const [, version, traceId, parentId, , rest] = match;
  if (version === undefined || traceId === undefined || parentId === undefined) return undefined;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (ZEROS.test(traceId) || ZEROS.test(parentId)) return undefined;
  return traceId;
}
