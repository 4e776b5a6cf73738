import crypto from 'node:crypto';
import { untraced, errorFields, failureKind, type Logger } from '@rideshare/common';
import type { TripAlert } from './alert';
import { claimNextAttempt, releaseClaim } from './claim';
import type { AlertConfig } from './config';
import type { AlertDelivery, AlertModels } from './store';

/** One way an alert goes out (email, one webhook URL). */
export interface AlertChannel {
  name: string;
  send(deliveryId: string, alert: TripAlert, timeoutMs: number): Promise<void>;
}

export interface Deliverer {
  /** Looks for due deliveries now (a new alert was recorded). */
  wake(): void;
  /** Stops looking and waits for the attempts under way. */
  stop(): Promise<void>;
  readonly owner: string;
}

type Timing = Pick<
  AlertConfig,
  'leaseMs' | 'sendTimeoutMs' | 'maxAttempts' | 'retryBaseMs' | 'retryMaxMs' | 'pollIntervalMs'
>;

export const retryDelayMs = (
  attempt: number,
  { retryBaseMs, retryMaxMs }: Pick<AlertConfig, 'retryBaseMs' | 'retryMaxMs'>,
) => Math.min(retryBaseMs * 2 ** Math.max(0, attempt - 1), retryMaxMs);

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Makes the recorded deliveries, on every replica at once. Each pass reads the pending ones; a due
 * one is attempted only under a claim (claim.ts), so one process at a time makes one attempt. The
 * claimer sends only if it starts within `sendTimeoutMs` of its claim, and the send is cut off after
 * `sendTimeoutMs` (≤ lease / 2), so the attempt is over before the lease ends even with replicas'
 * clocks apart by the rest of the lease. Then it marks the delivery sent, or records the failure with
 * a back-off (doubling, capped), or after `maxAttempts` (crashed attempts included) or a permanent
 * refusal marks it dead and logs a warning.
 *
 * The guarantee: a delivery is made at least once while attempts remain, and a second time only when
 * an attempt reached the receiver but its claimer died (or stalled beyond the lease) before writing
 * "sent". SMTP cannot deduplicate, so that window, between the SMTP server accepting the message and
 * the mark being written, is the only one in which an admin gets a second copy (same Message-ID). A
 * webhook receiver closes it by deduplicating on the delivery id header.
 */
export function createDeliverer(
  models: AlertModels,
  channels: readonly AlertChannel[],
  timing: Timing,
  log: Logger,
): Deliverer {
  const owner = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const byName = new Map(channels.map((c) => [c.name, c]));
  const inFlight = new Map<string, Promise<void>>();
  let stopping = false;
  let wakeUp: (() => void) | undefined;
  let woken = false;

  const finish = async (id: string, status: 'sent' | 'dead', attempts: number, lastError: string | null) => {
    await models.Deliveries.updateOne(
      { _id: id },
      { $set: { status, attempts, doneAt: new Date(), ...(lastError !== null ? { lastError } : {}) } },
    );
  };

  const attempt = async (delivery: AlertDelivery) => {
    const id = delivery._id;
    const channel = byName.get(delivery.channel);
    if (!channel) {
      // Its channel was removed from the configuration: nothing here can send it.
      const reason = `channel ${delivery.channel} is not configured`;
      log.warn('alert dead-lettered', { deliveryId: id, reason });
      return finish(id, 'dead', delivery.attempts, reason);
    }
    const claim = await claimNextAttempt(models, id, owner, timing.leaseMs);
    if (claim.kind !== 'won') return;
    const current = await models.Deliveries.findById(id).lean();
    if (!current || current.status !== 'pending') return;
    if (claim.attempt > timing.maxAttempts) {
      const reason = `no attempt confirmed after ${timing.maxAttempts}; last error: ${current.lastError ?? 'none'}`;
      log.warn('alert dead-lettered', { deliveryId: id, reason });
      return finish(id, 'dead', claim.attempt - 1, reason);
    }
    // Too late to start (slow database): the attempt could outlast the claim. Its lease runs out.
    if (claim.expiresAt.getTime() - Date.now() < timing.leaseMs - timing.sendTimeoutMs) return;
    try {
      await channel.send(id, current.alert, timing.sendTimeoutMs);
    } catch (err) {
      const permanent = failureKind(err) === 'permanent';
      if (permanent || claim.attempt >= timing.maxAttempts) {
        log.warn('alert dead-lettered', {
          deliveryId: id,
          attempts: claim.attempt,
          reason: message(err),
          permanent,
        });
        return finish(id, 'dead', claim.attempt, message(err));
      }
      const retryInMs = retryDelayMs(claim.attempt, timing);
      log.warn('alert delivery failed, retrying', {
        deliveryId: id,
        attempt: claim.attempt,
        retryInMs,
        ...errorFields(err),
      });
      await models.Deliveries.updateOne(
        { _id: id },
        {
          $set: {
            attempts: claim.attempt,
            nextAttemptAt: new Date(Date.now() + retryInMs),
            lastError: message(err),
          },
        },
      );
      await releaseClaim(models, id, claim.attempt);
      return;
    }
    await finish(id, 'sent', claim.attempt, null);
    log.info('alert sent', { deliveryId: id, attempt: claim.attempt });
  };

  const start = (delivery: AlertDelivery) => {
    const run = attempt(delivery)
      .catch((err: unknown) => {
        // A database failure mid-attempt: an unconfirmed claim is retried once its lease ends.
        log.warn('alert attempt failed', { deliveryId: delivery._id, ...errorFields(err) });
      })
      .finally(() => inFlight.delete(delivery._id));
    inFlight.set(delivery._id, run);
  };

  const pass = async () => {
    const pending = await models.Deliveries.find({ status: 'pending' }).lean();
    const now = Date.now();
    for (const d of pending) if (!inFlight.has(d._id) && d.nextAttemptAt.getTime() <= now) start(d);
  };

  const loop = (async () => {
    while (!stopping) {
      woken = false;
      try {
        // Polls are untraced, like the outbox relay's: a trace per idle poll would bury the trips.
        await untraced(pass);
      } catch (err) {
        log.warn('reading pending alerts failed', errorFields(err));
      }
      if (stopping || woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timing.pollIntervalMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = undefined;
    }
  })();

  return {
    owner,
    wake() {
      woken = true;
      wakeUp?.();
    },
    async stop() {
      stopping = true;
      wakeUp?.();
      await loop;
      await Promise.all(inFlight.values());
    },
  };
}
