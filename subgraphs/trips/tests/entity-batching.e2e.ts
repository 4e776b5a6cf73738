import { describeEntityBatching } from '@rideshare/testing';
import { requestedTrip } from '../src/lifecycle/requested-trip';
import type { TripDocument } from '../src/models';
import { createTripsServer } from '../src/server';

const codes = ['TRP-1', 'TRP-2', 'TRP-3', 'TRP-4', 'TRP-5'];

function trip(code: string, i: number): TripDocument {
  const record = requestedTrip({
    code,
    type: 'NORMAL',
    passengerCode: `PAS-${i + 1}`,
    source: { latitude: 47.6 + i / 100, longitude: -122.3 },
    destination: { latitude: 47.7, longitude: -122.2 },
    requestedAt: new Date(Date.UTC(2025, 0, 1, 12, i)),
  });
  return { ...record, _id: code };
}

// PASSENGERS_URL is only used by requestTrip; the trips are inserted directly instead.
describeEntityBatching({
  service: 'trips',
  build: createTripsServer,
  typename: 'Trip',
  selection: 'code status passenger { code }',
  documents: codes.map(trip),
  requested: ['TRP-2', 'TRP-5', 'NOPE-1', 'TRP-1', 'TRP-4', 'TRP-3', 'TRP-2'],
  expected: [
    { code: 'TRP-2', status: 'REQUESTED', passenger: { code: 'PAS-2' } },
    { code: 'TRP-5', status: 'REQUESTED', passenger: { code: 'PAS-5' } },
    null,
    { code: 'TRP-1', status: 'REQUESTED', passenger: { code: 'PAS-1' } },
    { code: 'TRP-4', status: 'REQUESTED', passenger: { code: 'PAS-4' } },
    { code: 'TRP-3', status: 'REQUESTED', passenger: { code: 'PAS-3' } },
    { code: 'TRP-2', status: 'REQUESTED', passenger: { code: 'PAS-2' } },
  ],
});
