import { tripSnapshot } from '@rideshare/testing';
import { alertEmail, alertFor, alertMessageId, deliveryId, webhookBody } from '../src/alerts';
import { retryDelayMs } from '../src/alerts/deliverer';
import { createTripEvent } from '../src/contracts';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const config = { outcomes: ['ABORTED' as const], traceUiUrl: 'http://zipkin.example.com/zipkin' };
const ended = '2026-11-26T07:02:00.000Z';
const aborted = createTripEvent(
  'TRIP_ABORTED',
  tripSnapshot('K7QZ2M4P', {
    status: 'ABORTED',
    version: 3,
    driverCode: 'AA100',
    passengerCode: 'PX1001',
    error: 'no driver accepted in time',
    endedAt: ended,
  }),
  'test',
  new Date(ended),
);

describe('the alert of a trip outcome', () => {
  it('should be raised for the outcomes ALERT_ON names only', () => {
    const completed = createTripEvent(
      'TRIP_COMPLETED',
      tripSnapshot('K7QZ2M4P', { status: 'COMPLETED', version: 7 }),
      'test',
      new Date(ended),
    );
    const running = createTripEvent(
      'TRIP_RUNNING',
      tripSnapshot('K7QZ2M4P', { status: 'RUNNING' }),
      'test',
      new Date(),
    );
    expect(alertFor(aborted, traceId, config)?.outcome).toBe('ABORTED');
    expect(alertFor(completed, traceId, config)).toBeUndefined();
    expect(
      alertFor(completed, traceId, { ...config, outcomes: ['ABORTED', 'COMPLETED'] })?.reason,
    ).toBeNull();
    expect(alertFor(running, traceId, { ...config, outcomes: ['ABORTED', 'COMPLETED'] })).toBeUndefined();
  });

  it("should email the trip's code, passenger, driver, reason and trace link, with a stable Message-ID", () => {
    const alert = alertFor(aborted, traceId, config);
    if (!alert) throw new Error('no alert');
    const id = deliveryId(alert, 'email');
    expect(id).toBe('K7QZ2M4P:ABORTED:email');
    const email = alertEmail(id, alert);
    expect(email.subject).toBe('Trip K7QZ2M4P aborted: no driver accepted in time');
    expect(email.text).toContain('Trip:      K7QZ2M4P');
    expect(email.text).toContain('Passenger: PX1001');
    expect(email.text).toContain('Driver:    AA100');
    expect(email.text).toContain('Reason:    no driver accepted in time');
    expect(email.text).toContain(`Trace:     http://zipkin.example.com/zipkin/traces/${traceId}`);
    expect(email.messageId).toBe('<K7QZ2M4P.ABORTED.email@rideshare-alerts>');
    expect(alertEmail(id, alert)).toEqual(email);
    expect(alertMessageId(id)).toBe(email.messageId);
  });

  it('should say so when the event carried no trace context', () => {
    const alert = alertFor(aborted, undefined, config);
    if (!alert) throw new Error('no alert');
    expect(alert.traceUrl).toBeNull();
    expect(alertEmail(deliveryId(alert, 'email'), alert).text).toContain('Trace:     none');
  });

  it('should send the same webhook body on every attempt of one delivery', () => {
    const alert = alertFor(aborted, traceId, config);
    if (!alert) throw new Error('no alert');
    const id = deliveryId(alert, 'webhook-0123456789ab');
    const body = webhookBody(id, alert);
    expect(webhookBody(id, alert)).toBe(body);
    expect(JSON.parse(body)).toMatchObject({
      id,
      type: 'trip.aborted',
      alert: { tripCode: 'K7QZ2M4P', traceId },
    });
  });

  it('should back off exponentially between attempts, up to the cap', () => {
    const timing = { retryBaseMs: 1_000, retryMaxMs: 5_000 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, timing))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
  });
});
