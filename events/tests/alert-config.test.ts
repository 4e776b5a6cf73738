import { readAlertConfig } from '../src/alerts/config';
import { parseTraceparent, traceIdOf } from '../src/alerts/traceparent';

const secret = 'webhook-secret-0123456789';

describe('the alerter configuration', () => {
  it('should default to aborted trips, email through the local MailDev and no webhooks', () => {
    const config = readAlertConfig({});
    expect(config.outcomes).toEqual(['ABORTED']);
    expect(config.email.smtpUrl).toBe('smtp://127.0.0.1:1025');
    expect(config.email.to).toEqual(['admins@rideshare.local']);
    expect(config.webhooks).toEqual([]);
    expect(config.traceUiUrl).toBe('http://127.0.0.1:9411/zipkin');
    expect(config.database).toBe('rideshare_alerts');
  });

  it('should read lists, outcomes and webhook targets with a stable channel per URL', () => {
    const env = {
      ALERT_ON: 'aborted,completed',
      ALERT_EMAIL_TO: 'ops@example.com, lead@example.com',
      ALERT_EMAIL_FROM: 'Alerts <alerts@example.com>',
      ALERT_WEBHOOK_URLS: 'https://hooks.example.com/a,http://127.0.0.1:9000/b',
      ALERT_WEBHOOK_SECRET: secret,
      TRACE_UI_URL: 'http://zipkin.example.com/zipkin/',
    };
    const config = readAlertConfig(env);
    expect(config.outcomes).toEqual(['ABORTED', 'COMPLETED']);
    expect(config.email.to).toEqual(['ops@example.com', 'lead@example.com']);
    expect(config.traceUiUrl).toBe('http://zipkin.example.com/zipkin');
    expect(config.webhooks.map((w) => w.url)).toEqual([
      'https://hooks.example.com/a',
      'http://127.0.0.1:9000/b',
    ]);
    expect(readAlertConfig(env).webhooks).toEqual(config.webhooks);
    expect(new Set(config.webhooks.map((w) => w.channel)).size).toBe(2);
    for (const w of config.webhooks) expect(w.channel).toMatch(/^webhook-[0-9a-f]{12}$/);
  });

  it.each([
    [{ ALERT_ON: 'sometimes' }, /^Invalid configuration: ALERT_ON must be "aborted" or "aborted,completed"/],
    [{ ALERT_ON: 'completed' }, /^Invalid configuration: ALERT_ON must include aborted/],
    [
      { ALERT_EMAIL_TO: 'ops@example.com,not-an-address' },
      /ALERT_EMAIL_TO must be comma-separated email addresses, got "not-an-address"/,
    ],
    [{ ALERT_EMAIL_TO: ' , ' }, /ALERT_EMAIL_TO must name at least one email address/],
    [
      { ALERT_EMAIL_FROM: 'Alerts alerts@example.com' },
      /ALERT_EMAIL_FROM must be an email address or "Name <address>"/,
    ],
    [{ SMTP_URL: 'http://127.0.0.1:1025' }, /SMTP_URL must use smtp: or smtps:/],
    [
      { ALERT_WEBHOOK_URLS: 'https://hooks.example.com/a' },
      /ALERT_WEBHOOK_SECRET must be set when ALERT_WEBHOOK_URLS is/,
    ],
    [
      { ALERT_WEBHOOK_URLS: 'ftp://x.example.com', ALERT_WEBHOOK_SECRET: secret },
      /ALERT_WEBHOOK_URLS must use http: or https:/,
    ],
    [
      { ALERT_WEBHOOK_URLS: 'not a url', ALERT_WEBHOOK_SECRET: secret },
      /ALERT_WEBHOOK_URLS must be comma-separated http\(s\) URLs/,
    ],
    [{ ALERT_WEBHOOK_SECRET: 'short' }, /ALERT_WEBHOOK_SECRET must be at least 16 characters/],
    [{ TRACE_UI_URL: 'zipkin' }, /TRACE_UI_URL must be a URL/],
    [
      { ALERT_LEASE_MS: '10000', ALERT_SEND_TIMEOUT_MS: '6000' },
      /ALERT_SEND_TIMEOUT_MS must be at most half of ALERT_LEASE_MS \(10000\), got 6000/,
    ],
    [{ ALERT_MAX_ATTEMPTS: '0' }, /ALERT_MAX_ATTEMPTS must be >= 1, got 0/],
  ])('should refuse %j with one line naming the variable', (env, message) => {
    expect(() => readAlertConfig(env)).toThrow(message);
  });
});

describe('the trace id of an event (W3C traceparent header)', () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  it('should read the trace id of a valid traceparent', () => {
    expect(parseTraceparent(`00-${traceId}-00f067aa0ba902b7-01`)).toBe(traceId);
    expect(traceIdOf({ traceparent: Buffer.from(`00-${traceId}-00f067aa0ba902b7-00`) })).toBe(traceId);
    // A later version may add fields; its first four are read the same way.
    expect(parseTraceparent(`01-${traceId}-00f067aa0ba902b7-01-extra`)).toBe(traceId);
  });

  it.each([
    `00-${traceId.toUpperCase()}-00f067aa0ba902b7-01`,
    `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
    `00-${traceId}-${'0'.repeat(16)}-01`,
    `ff-${traceId}-00f067aa0ba902b7-01`,
    `00-${traceId}-00f067aa0ba902b7-01-extra`,
    `00-${traceId.slice(1)}-00f067aa0ba902b7-01`,
    'not a traceparent',
  ])('should find no trace in %s', (value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('should find none without the header, or with it repeated', () => {
    expect(traceIdOf(undefined)).toBeUndefined();
    expect(traceIdOf({})).toBeUndefined();
    expect(
      traceIdOf({ traceparent: [`00-${traceId}-00f067aa0ba902b7-01`, `00-${traceId}-00f067aa0ba902b8-01`] }),
    ).toBeUndefined();
  });
});
