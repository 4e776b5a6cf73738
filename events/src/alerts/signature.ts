import crypto from 'node:crypto';

/** Headers of every alert webhook. The signature covers `<timestamp>.<raw body>`. */
export const WEBHOOK_HEADERS = {
  signature: 'x-rideshare-signature',
  timestamp: 'x-rideshare-timestamp',
  delivery: 'x-rideshare-delivery',
} as const;

/** `sha256=<hex HMAC-SHA256 over "<timestamp>.<body>">`: the timestamp is signed, so a replay cannot move it. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const mac = crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `sha256=${mac}`;
}

export interface VerifyOptions {
  /** How far the timestamp may be from now (default 300 s): older copies are refused as replays. */
  toleranceSeconds?: number;
  nowSeconds?: number;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/**
 * What a receiver does with a webhook: recompute the signature over the raw body as received and
 * compare in constant time, then refuse a timestamp outside the tolerance. Deduplicate by the
 * delivery header afterwards: a retried delivery carries the same id.
 */
export function verifyWebhook(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: string,
  { toleranceSeconds = 300, nowSeconds = Math.floor(Date.now() / 1000) }: VerifyOptions = {},
): VerifyResult {
  const { signature, timestamp } = headers;
  if (signature === undefined || timestamp === undefined)
    return { ok: false, reason: 'missing signature or timestamp' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'malformed timestamp' };
  const expected = Buffer.from(signWebhook(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature does not match' };
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds)
    return { ok: false, reason: 'timestamp outside tolerance' };
  return { ok: true };
}
