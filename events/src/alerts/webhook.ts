import { ClassifiedError, PermanentError } from '@rideshare/common';
import type { TripAlert } from './alert';
import { signWebhook, WEBHOOK_HEADERS } from './signature';

/** The JSON body of an alert webhook: the same bytes on every attempt of one delivery. */
export function webhookBody(deliveryId: string, alert: TripAlert): string {
  return JSON.stringify({
    id: deliveryId,
    type: alert.outcome === 'ABORTED' ? 'trip.aborted' : 'trip.completed',
    alert,
  });
}

// A receiver that says the request itself is wrong will say so again; these mean "later".
const RETRYABLE_4XX = new Set([408, 409, 425, 429]);

/**
 * POSTs one signed webhook. A 2xx is delivered; a 4xx other than 408/409/425/429 is a PermanentError
 * (no retry can fix it); anything else, a network error or the timeout, is transient.
 */
export async function sendWebhook(
  url: string,
  secret: string,
  deliveryId: string,
  body: string,
  timeoutMs: number,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'rideshare-alerter',
      [WEBHOOK_HEADERS.delivery]: deliveryId,
      [WEBHOOK_HEADERS.timestamp]: String(nowSeconds),
      [WEBHOOK_HEADERS.signature]: signWebhook(secret, nowSeconds, body),
    },
    body,
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'error',
  });
  await response.body?.cancel();
  if (response.ok) return;
  const message = `webhook answered ${response.status}`;
  if (response.status >= 400 && response.status < 500 && !RETRYABLE_4XX.has(response.status))
    throw new PermanentError(message);
  throw new ClassifiedError(message, 'transient');
}
