import { isDuplicateKeyError } from '@rideshare/common';
import type { AlertModels } from './store';

export type ClaimResult =
  | { kind: 'won'; attempt: number; expiresAt: Date }
  /** Another process holds an attempt that has not expired: it may still be sending. */
  | { kind: 'busy'; until: Date }
  /** Another process took the same attempt first. */
  | { kind: 'lost' };

/**
 * Claims the next attempt of a delivery. Attempt n is the document `<id>#n`, so of any number of
 * processes trying attempt n, the unique insert lets exactly one win (FerretDB has no transactions and
 * no atomic conditional update; an insert by `_id` is atomic). An attempt whose claim has not expired
 * is left alone: its claimer may be mid-send. One that expired unconfirmed (its claimer died, or
 * never marked the outcome) is followed by attempt n+1.
 */
export async function claimNextAttempt(
  models: AlertModels,
  deliveryId: string,
  owner: string,
  leaseMs: number,
  now: Date = new Date(),
): Promise<ClaimResult> {
  const claims = await models.Claims.find({ deliveryId }).lean();
  const latest = claims.reduce<(typeof claims)[number] | undefined>(
    (a, c) => (a === undefined || c.attempt > a.attempt ? c : a),
    undefined,
  );
  if (latest && latest.expiresAt.getTime() > now.getTime()) return { kind: 'busy', until: latest.expiresAt };
  const attempt = (latest?.attempt ?? 0) + 1;
  const expiresAt = new Date(now.getTime() + leaseMs);
  try {
    await models.Claims.create({ _id: `${deliveryId}#${attempt}`, deliveryId, attempt, owner, expiresAt });
  } catch (err) {
    if (isDuplicateKeyError(err)) return { kind: 'lost' };
    throw err;
  }
  return { kind: 'won', attempt, expiresAt };
}

/** Ends a claim early (the attempt failed and its outcome is recorded), so the back-off alone decides. */
export async function releaseClaim(models: AlertModels, deliveryId: string, attempt: number): Promise<void> {
  await models.Claims.updateOne({ _id: `${deliveryId}#${attempt}` }, { $set: { expiresAt: new Date() } });
}
