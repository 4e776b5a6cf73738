import {
  startSubgraphInProcess,
  queryEntities,
  type InProcessSubgraph,
} from '../../../tools/stack/src/testing';
import type { TripRecord } from '../src/models';
import { createTripsServer } from '../src/server';

const codes = ['TRP-1', 'TRP-2', 'TRP-3', 'TRP-4', 'TRP-5'];

function trip(code: string, i: number): Partial<TripRecord> {
  const requestedAt = new Date(Date.UTC(2025, 0, 1, 12, i));
  return {
    code,
    type: 'NORMAL',
    status: 'REQUESTED',
    passengerCode: `PAS-${i + 1}`,
    driverCode: null,
    availableDriverCodes: [],
    source: { latitude: 47.6 + i / 100, longitude: -122.3 },
    destination: { latitude: 47.7, longitude: -122.2 },
    requestedAt,
    acceptedAt: null,
    startedAt: null,
    endedAt: null,
    durationSeconds: null,
    monitorIterations: 0,
    error: null,
    version: 1,
    events: [{ type: 'TRIP_REQUESTED', version: 1, occurredAt: requestedAt, status: 'REQUESTED' }],
  };
}

describe('trips subgraph entity batching', () => {
  let subgraph: InProcessSubgraph;

  beforeAll(async () => {
    // PASSENGERS_URL is only used by requestTrip; the trips are inserted directly instead.
    subgraph = await startSubgraphInProcess('trips', createTripsServer);
    // The model the server registered; registering it again would re-run index builds.
    await subgraph.connection.model<TripRecord>('Trip').insertMany(codes.map(trip));
  });

  afterAll(async () => {
    await subgraph.stop();
  });

  it('should resolve five trip references and one unknown with exactly one find on trips, in order', async () => {
    const requested = ['TRP-2', 'TRP-5', 'NOPE-1', 'TRP-1', 'TRP-4', 'TRP-3'];
    subgraph.queries.length = 0;

    const res = await queryEntities<{ code: string; status: string; passenger: { code: string } }>(
      subgraph.url,
      'Trip',
      'code status passenger { code }',
      requested,
    );

    expect(res.errors).toBeUndefined();
    expect(res.data?._entities).toEqual([
      { code: 'TRP-2', status: 'REQUESTED', passenger: { code: 'PAS-2' } },
      { code: 'TRP-5', status: 'REQUESTED', passenger: { code: 'PAS-5' } },
      null,
      { code: 'TRP-1', status: 'REQUESTED', passenger: { code: 'PAS-1' } },
      { code: 'TRP-4', status: 'REQUESTED', passenger: { code: 'PAS-4' } },
      { code: 'TRP-3', status: 'REQUESTED', passenger: { code: 'PAS-3' } },
    ]);
    const calls = subgraph.queries.filter((q) => q.collection === 'trips');
    expect(calls.map((q) => q.method)).toEqual(['find']);
    expect(calls[0]?.args[0]).toEqual({ code: { $in: requested } });
  });
});
