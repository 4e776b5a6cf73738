import type { TripSnapshot } from '@rideshare/events';

/**
 * A trip as trip events carry it, for tests that feed consumers or check the contracts: by default a
 * NORMAL trip just offered to driver D1 (version 2), with `fields` changing whatever a test is about.
 * The lifecycle's progress comes first, as that is what tests change most.
 */
export function tripSnapshot(code: string, fields: Partial<TripSnapshot> = {}): TripSnapshot {
  return {
    code,
    type: 'NORMAL',
    status: 'DRIVERS_NOTIFIED',
    version: 2,
    monitorIterations: 0,
    passengerCode: 'P1',
    driverCode: null,
    availableDriverCodes: ['D1'],
    source: { latitude: 47.6, longitude: -122.3 },
    destination: { latitude: 47.7, longitude: -122.2 },
    driverLocation: null,
    requestedAt: '2026-11-26T07:00:00.000Z',
    acceptedAt: null,
    startedAt: null,
    endedAt: null,
    durationSeconds: null,
    error: null,
    ...fields,
  };
}
