import { queryEntities, startSubgraphInProcess, type InProcessSubgraph } from '@rideshare/testing';
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

describe('trips subgraph entity batching', () => {
  let subgraph: InProcessSubgraph;

  beforeAll(async () => {
    // PASSENGERS_URL is only used by requestTrip; the trips are inserted directly instead.
    subgraph = await startSubgraphInProcess('trips', createTripsServer);
    // The model the server registered; registering it again would re-run index builds.
    await subgraph.connection.model<TripDocument>('Trip').insertMany(codes.map(trip));
  });

  afterAll(async () => {
    await subgraph.stop();
  });

  // One point read by `_id` per distinct trip: FerretDB reads a whole collection for `$in`.
  it('should resolve trip references, one unknown and one repeated, with one read by _id per distinct trip, in order', async () => {
    const requested = ['TRP-2', 'TRP-5', 'NOPE-1', 'TRP-1', 'TRP-4', 'TRP-3', 'TRP-2'];
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
      { code: 'TRP-2', status: 'REQUESTED', passenger: { code: 'PAS-2' } },
    ]);
    const calls = subgraph.queries.filter((q) => q.collection === 'trips');
    expect(calls.map((q) => q.method)).toEqual(Array<string>(6).fill('findOne'));
    expect(calls.map((q) => q.args[0])).toEqual([...new Set(requested)].map((code) => ({ _id: code })));
  });
});
