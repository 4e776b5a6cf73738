import type { TripEventEnvelope } from '../contracts';
import type { AlertConfig, AlertOutcome } from './config';

/** What one alert says, fixed when the trip's outcome is first seen, so every retry sends the same. */
export interface TripAlert {
  tripCode: string;
  outcome: AlertOutcome;
  tripType: string;
  passengerCode: string;
  driverCode: string | null;
  /** The trip's `error` (why it was aborted); null for a completed trip. */
  reason: string | null;
  requestedAt: string;
  endedAt: string | null;
  /** The event that ended the trip (`<code>:<version>`). */
  eventId: string;
  occurredAt: string;
  traceId: string | null;
  traceUrl: string | null;
}

/** The alert a trip event raises, or undefined when it is not an outcome ALERT_ON names. */
export function alertFor(
  event: TripEventEnvelope,
  traceId: string | undefined,
  config: Pick<AlertConfig, 'outcomes' | 'traceUiUrl'>,
): TripAlert | undefined {
  const kind = event.data.event;
  const outcome: AlertOutcome | undefined =
    kind === 'TRIP_ABORTED' ? 'ABORTED' : kind === 'TRIP_COMPLETED' ? 'COMPLETED' : undefined;
  if (!outcome || !config.outcomes.includes(outcome)) return undefined;
  const { trip } = event.data;
  return {
    tripCode: trip.code,
    outcome,
    tripType: trip.type,
    passengerCode: trip.passengerCode,
    driverCode: trip.driverCode,
    reason: outcome === 'ABORTED' ? (trip.error ?? 'no reason recorded') : null,
    requestedAt: trip.requestedAt,
    endedAt: trip.endedAt,
    eventId: event.id,
    occurredAt: event.time,
    traceId: traceId ?? null,
    traceUrl: traceId ? `${config.traceUiUrl}/traces/${traceId}` : null,
  };
}

/** One delivery per (trip, outcome, channel): the unique key every claim and mark hangs on. */
export const deliveryId = (alert: Pick<TripAlert, 'tripCode' | 'outcome'>, channel: string) =>
  `${alert.tripCode}:${alert.outcome}:${channel}`;
