import crypto from 'node:crypto';
import {
  ConfigError,
  envInt,
  envOptionalString,
  envString,
  envUrl,
  readDatabaseName,
} from '@rideshare/common';

/** The trip outcomes an alert can be raised for (ALERT_ON names them in lower case). */
export const ALERT_OUTCOMES = ['ABORTED', 'COMPLETED'] as const;
export type AlertOutcome = (typeof ALERT_OUTCOMES)[number];

export interface EmailChannelConfig {
  smtpUrl: string;
  to: string[];
  from: string;
}

export interface WebhookTarget {
  url: string;
  /** Part of the delivery id: stable for one URL, so a restart with the same list finds its deliveries. */
  channel: string;
}

export interface AlertConfig {
  database: string;
  outcomes: AlertOutcome[];
  email: EmailChannelConfig;
  webhooks: WebhookTarget[];
  /** Set whenever webhooks are. */
  webhookSecret: string | undefined;
  /** Trace links are `${traceUiUrl}/traces/<traceId>`. */
  traceUiUrl: string;
  /** How long a claimed delivery is its claimer's before another process may retry it. */
  leaseMs: number;
  /** One SMTP or HTTP attempt's limit; well inside the lease, so a claim never outlives its attempt. */
  sendTimeoutMs: number;
  /** Attempts per delivery (crashed ones included) before it is dead-lettered. */
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** How often pending deliveries (new, due for retry, or left by a crash) are looked for. */
  pollIntervalMs: number;
}

// Deliberately plain: an address, no display name, no spaces, one @ and a dotted domain.
const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;
const NAMED_ADDRESS = /^[^<>@,;"]*<([^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+)>$/;

function emailList(name: string, fallback: string, env: NodeJS.ProcessEnv): string[] {
  const list = envString(name, fallback, env)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) throw new ConfigError(name, 'must name at least one email address');
  for (const address of list)
    if (!ADDRESS.test(address))
      throw new ConfigError(name, `must be comma-separated email addresses, got "${address}"`);
  return list;
}

function sender(name: string, fallback: string, env: NodeJS.ProcessEnv): string {
  const value = envString(name, fallback, env).trim();
  if (!ADDRESS.test(value) && !NAMED_ADDRESS.test(value))
    throw new ConfigError(name, `must be an email address or "Name <address>", got "${value}"`);
  return value;
}

function outcomes(env: NodeJS.ProcessEnv): AlertOutcome[] {
  const raw = envString('ALERT_ON', 'aborted', env);
  const chosen = new Set<AlertOutcome>();
  for (const item of raw.split(',').map((s) => s.trim().toUpperCase())) {
    const outcome = ALERT_OUTCOMES.find((o) => o === item);
    if (!outcome) throw new ConfigError('ALERT_ON', `must be "aborted" or "aborted,completed", got "${raw}"`);
    chosen.add(outcome);
  }
  if (!chosen.has('ABORTED'))
    throw new ConfigError(
      'ALERT_ON',
      `must include aborted ("aborted" or "aborted,completed"), got "${raw}"`,
    );
  return ALERT_OUTCOMES.filter((o) => chosen.has(o));
}

function webhookUrls(env: NodeJS.ProcessEnv): WebhookTarget[] {
  const raw = envOptionalString('ALERT_WEBHOOK_URLS', env) ?? '';
  const urls = [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  return urls.map((url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError('ALERT_WEBHOOK_URLS', `must be comma-separated http(s) URLs, got "${url}"`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new ConfigError('ALERT_WEBHOOK_URLS', `must use http: or https:, got "${url}"`);
    const digest = crypto.createHash('sha256').update(url).digest('hex').slice(0, 12);
    return { url, channel: `webhook-${digest}` };
  });
}

/** Every setting of the alerter, read and checked before it connects (one ConfigError naming the variable). */
export function readAlertConfig(env: NodeJS.ProcessEnv = process.env): AlertConfig {
  const database = readDatabaseName('rideshare_alerts', env);
  const chosenOutcomes = outcomes(env);
  const email: EmailChannelConfig = {
    smtpUrl: envUrl('SMTP_URL', 'smtp://127.0.0.1:1025', ['smtp:', 'smtps:'], env),
    to: emailList('ALERT_EMAIL_TO', 'admins@rideshare.local', env),
    from: sender('ALERT_EMAIL_FROM', 'Rideshare alerts <alerts@rideshare.local>', env),
  };
  const webhooks = webhookUrls(env);
  const webhookSecret = envOptionalString('ALERT_WEBHOOK_SECRET', env);
  if (webhooks.length > 0 && webhookSecret === undefined)
    throw new ConfigError('ALERT_WEBHOOK_SECRET', 'must be set when ALERT_WEBHOOK_URLS is');
  if (webhookSecret !== undefined && webhookSecret.length < 16)
    throw new ConfigError(
      'ALERT_WEBHOOK_SECRET',
      `must be at least 16 characters, got ${webhookSecret.length}`,
    );
  const traceUiUrl = envUrl('TRACE_UI_URL', 'http://127.0.0.1:9411/zipkin', ['http:', 'https:'], env).replace(
    /\/+$/,
    '',
  );
  const leaseMs = envInt('ALERT_LEASE_MS', 60_000, { min: 1_000, max: 3_600_000 }, env);
  const sendTimeoutMs = envInt('ALERT_SEND_TIMEOUT_MS', 10_000, { min: 100, max: 600_000 }, env);
  if (sendTimeoutMs * 2 > leaseMs)
    throw new ConfigError(
      'ALERT_SEND_TIMEOUT_MS',
      `must be at most half of ALERT_LEASE_MS (${leaseMs}), got ${sendTimeoutMs}`,
    );
  const retryBaseMs = envInt('ALERT_RETRY_BASE_MS', 1_000, { min: 10, max: 600_000 }, env);
  return {
    database,
    outcomes: chosenOutcomes,
    email,
    webhooks,
    webhookSecret,
    traceUiUrl,
    leaseMs,
    sendTimeoutMs,
    maxAttempts: envInt('ALERT_MAX_ATTEMPTS', 6, { min: 1, max: 50 }, env),
    retryBaseMs,
    retryMaxMs: envInt('ALERT_RETRY_MAX_MS', 60_000, { min: retryBaseMs, max: 3_600_000 }, env),
    pollIntervalMs: envInt('ALERT_POLL_INTERVAL_MS', 1_000, { min: 50, max: 600_000 }, env),
  };
}
