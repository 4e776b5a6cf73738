import { fillChannel, type LiveSignal, type TraceCarrier } from '@rideshare/common';
import type { DriverEventEnvelope } from './driver-events';
import type { TripEventEnvelope } from './trip-events';

/**
 * The Redis channel of each live subscription field, as the `channel` of its @live directive
 * (events/tests/contracts.test.ts compares them with the composed supergraph).
 */
export const LIVE_CHANNELS = {
  tripUpdated: 'trip:{code}',
  tripOffers: 'driver-offers:{driverCode}',
  driverLocationUpdated: 'driver-location:{code}',
} as const;

/** One message for Redis: the channel it goes to and the serialized signal. */
export interface LiveMessage {
  channel: string;
  message: string;
}

const live = (template: string, values: Record<string, string>, signal: LiveSignal): LiveMessage => ({
  channel: fillChannel(template, values),
  message: JSON.stringify(signal),
});

/**
 * What one trip event signals: its trip's channel, and for an offer each offered driver's. The state
 * carries `status`, the end field of `tripUpdated`; `code` lets the gateway resolve a driver's offer
 * as `tripUpdate(code, version)`.
 */
export function tripLiveMessages(event: TripEventEnvelope, trace?: TraceCarrier): LiveMessage[] {
  const { trip, version } = event.data;
  const signal: LiveSignal = {
    version,
    variables: { code: trip.code },
    state: { status: trip.status },
    trace,
  };
  const messages = [live(LIVE_CHANNELS.tripUpdated, { code: trip.code }, signal)];
  if (event.data.event === 'DRIVERS_NOTIFIED')
    for (const driverCode of trip.availableDriverCodes)
      messages.push(live(LIVE_CHANNELS.tripOffers, { driverCode }, signal));
  return messages;
}

/** What a driver's move signals: the driver's location channel (the gateway reads the driver back). */
export function driverLiveMessages(event: DriverEventEnvelope, trace?: TraceCarrier): LiveMessage[] {
  const { code, version } = event.data;
  const signal: LiveSignal = { version, variables: { code }, state: {}, trace };
  return [live(LIVE_CHANNELS.driverLocationUpdated, { code }, signal)];
}
