import mongoose from 'mongoose';
import { isDuplicateKeyError } from '@rideshare/common';
import type { TripAlert } from './alert';

export type DeliveryStatus = 'pending' | 'sent' | 'dead';

/** One alert to one channel. Inserted once (its id is the unique key), then only its claimer writes it. */
export interface AlertDelivery {
  _id: string;
  channel: string;
  status: DeliveryStatus;
  alert: TripAlert;
  /** Attempts made so far (each one a claim; an attempt cut short by a crash counts too). */
  attempts: number;
  /** Not tried again before this (back-off after a failure). */
  nextAttemptAt: Date;
  createdAt: Date;
  doneAt: Date | null;
  lastError: string | null;
}

/** The right to make attempt `attempt` of a delivery, until `expiresAt`: `<delivery id>#<attempt>`. */
export interface AlertClaim {
  _id: string;
  deliveryId: string;
  attempt: number;
  owner: string;
  expiresAt: Date;
}

export function alertModels(conn: mongoose.Connection) {
  const deliverySchema = new mongoose.Schema<AlertDelivery>(
    {
      _id: String,
      channel: String,
      status: { type: String, required: true },
      alert: mongoose.Schema.Types.Mixed,
      attempts: Number,
      nextAttemptAt: Date,
      createdAt: Date,
      doneAt: Date,
      lastError: String,
    },
    { versionKey: false },
  );
  deliverySchema.index({ status: 1 });
  const claimSchema = new mongoose.Schema<AlertClaim>(
    {
      _id: String,
      deliveryId: { type: String, required: true },
      attempt: Number,
      owner: String,
      expiresAt: Date,
    },
    { versionKey: false },
  );
  claimSchema.index({ deliveryId: 1 });
  return {
    Deliveries: conn.model<AlertDelivery>('AlertDelivery', deliverySchema, 'alert_deliveries'),
    Claims: conn.model<AlertClaim>('AlertClaim', claimSchema, 'alert_claims'),
  };
}
export type AlertModels = ReturnType<typeof alertModels>;

/** Records a delivery to make; a redelivered event finds it there already and changes nothing. */
export async function enqueueDelivery(models: AlertModels, id: string, channel: string, alert: TripAlert) {
  const now = new Date();
  try {
    await models.Deliveries.create({
      _id: id,
      channel,
      status: 'pending',
      alert,
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
      doneAt: null,
      lastError: null,
    });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
}
