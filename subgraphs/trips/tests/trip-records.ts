import { requestedTrip as build } from '../src/lifecycle/requested-trip';
import type { TripRecord } from '../src/models';

/** A just-requested NORMAL trip near Bellevue, as `requestTrip` creates it. */
export function requestedTrip(code: string): TripRecord {
  return build({
    code,
    type: 'NORMAL',
    passengerCode: 'PX1001',
    source: { latitude: 47.64, longitude: -122.14 },
    destination: { latitude: 47.67, longitude: -122.13 },
    requestedAt: new Date(),
  });
}
