import type { LatLon } from '@rideshare/common';
import type { TripType } from '../generated/resolvers-types';
import type { TripRecord } from '../models';

export interface TripRequest {
  code: string;
  type: TripType;
  passengerCode: string;
  source: LatLon;
  destination: LatLon;
  requestedAt: Date;
}

/** A trip as `requestTrip` creates it: version 1, REQUESTED, with its TRIP_REQUESTED history entry. */
export function requestedTrip(request: TripRequest): TripRecord {
  return {
    ...request,
    status: 'REQUESTED',
    driverCode: null,
    availableDriverCodes: [],
    acceptedAt: null,
    startedAt: null,
    endedAt: null,
    durationSeconds: null,
    monitorIterations: 0,
    error: null,
    version: 1,
    events: [{ type: 'TRIP_REQUESTED', version: 1, occurredAt: request.requestedAt, status: 'REQUESTED' }],
    driverLocation: null,
    acceptDeadline: null,
    nextMonitorAt: null,
  };
}
