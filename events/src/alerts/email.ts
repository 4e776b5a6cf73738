import nodemailer from 'nodemailer';
import type { TripAlert } from './alert';
import type { EmailChannelConfig } from './config';

export interface AlertEmail {
  messageId: string;
  subject: string;
  text: string;
}

/**
 * A stable Message-ID per delivery (`<trip.outcome.channel@rideshare-alerts>`): a retried alert is
 * recognisably the same message to mail systems and to the admins' clients.
 */
export const alertMessageId = (deliveryId: string) =>
  `<${deliveryId.replace(/[^A-Za-z0-9._-]/g, '.')}@rideshare-alerts>`;

/** The email of one alert: the trip's code, passenger, driver, reason and the link to its trace. */
export function alertEmail(deliveryId: string, alert: TripAlert): AlertEmail {
  const what = alert.outcome === 'ABORTED' ? 'aborted' : 'completed';
  const lines = [
    `Trip ${alert.tripCode} (${alert.tripType}) was ${what} at ${alert.endedAt ?? alert.occurredAt}.`,
    '',
    `Trip:      ${alert.tripCode}`,
    `Passenger: ${alert.passengerCode}`,
    `Driver:    ${alert.driverCode ?? 'none assigned'}`,
    ...(alert.reason !== null ? [`Reason:    ${alert.reason}`] : []),
    `Requested: ${alert.requestedAt}`,
    `Trace:     ${alert.traceUrl ?? 'none (the event carried no trace context)'}`,
    '',
    `Event ${alert.eventId}; delivery ${deliveryId}.`,
  ];
  return {
    messageId: alertMessageId(deliveryId),
    subject:
      alert.reason !== null
        ? `Trip ${alert.tripCode} ${what}: ${alert.reason}`
        : `Trip ${alert.tripCode} ${what}`,
    text: `${lines.join('\n')}\n`,
  };
}

/**
 * Sends one alert email over SMTP, in one connection that is closed when done or when `timeoutMs`
 * passes (connect, greeting and every socket wait are bounded by it too), so an attempt that the
 * caller gave up on cannot finish later.
 */
export async function sendAlertEmail(
  config: EmailChannelConfig,
  email: AlertEmail,
  timeoutMs: number,
): Promise<void> {
  const transport = nodemailer.createTransport({
    url: config.smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      transport.sendMail({
        from: config.from,
        to: config.to,
        subject: email.subject,
        text: email.text,
        messageId: email.messageId,
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`SMTP send took longer than ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    transport.close();
  }
}
