import type { TripRecord } from '../src/models';

/** A just-requested trip record, as `requestTrip` creates it. */
export function requestedTrip(code: string): TripRecord {
  const now = new Date();
  return {
    code,
    type: 'NORMAL',
    status: 'REQUESTED',
    passengerCode: 'PX1001',
    driverCode: null,
    availableDriverCodes: [],
    source: { latitude: 47.64, longitude: -122.14 },
    destination: { latitude: 47.67, longitude: -122.13 },
    requestedAt: now,
    acceptedAt: null,
    startedAt: null,
    endedAt: null,
    durationSeconds: null,
    monitorIterations: 0,
    error: null,
    version: 1,
    events: [{ type: 'TRIP_REQUESTED', version: 1, occurredAt: now, status: 'REQUESTED' }],
    driverLocation: null,
    acceptDeadline: null,
    nextMonitorAt: null,
  };
}
