import { queryEntities, startSubgraphInProcess, type InProcessSubgraph } from '@rideshare/testing';
import type { PassengerDocument } from '../src/models';
import { createPassengersServer } from '../src/server';

const codes = ['PAS-1', 'PAS-2', 'PAS-3', 'PAS-4', 'PAS-5'];

describe('passengers subgraph entity batching', () => {
  let subgraph: InProcessSubgraph;

  beforeAll(async () => {
    subgraph = await startSubgraphInProcess('passengers', createPassengersServer);
    // The model the server registered; registering it again would re-run index builds.
    await subgraph.connection.model<PassengerDocument>('Passenger').insertMany(
      codes.map((code, i) => ({
        _id: code,
        code,
        firstName: `First${i + 1}`,
        lastName: `Last${i + 1}`,
        email: `p${i + 1}@example.com`,
      })),
    );
  });

  afterAll(async () => {
    await subgraph.stop();
  });

  // One point read by `_id` per distinct passenger: FerretDB reads a whole collection for `$in`.
  it('should resolve passenger references, one unknown and one repeated, with one read by _id per distinct passenger, in order', async () => {
    const requested = ['PAS-3', 'PAS-5', 'PAS-1', 'NOPE-1', 'PAS-4', 'PAS-2', 'PAS-3'];
    subgraph.queries.length = 0;

    const res = await queryEntities<{ code: string; email: string }>(
      subgraph.url,
      'Passenger',
      'code email',
      requested,
    );

    expect(res.errors).toBeUndefined();
    expect(res.data?._entities).toEqual([
      { code: 'PAS-3', email: 'p3@example.com' },
      { code: 'PAS-5', email: 'p5@example.com' },
      { code: 'PAS-1', email: 'p1@example.com' },
      null,
      { code: 'PAS-4', email: 'p4@example.com' },
      { code: 'PAS-2', email: 'p2@example.com' },
      { code: 'PAS-3', email: 'p3@example.com' },
    ]);
    const calls = subgraph.queries.filter((q) => q.collection === 'passengers');
    expect(calls.map((q) => q.method)).toEqual(Array<string>(6).fill('findOne'));
    expect(calls.map((q) => q.args[0])).toEqual([...new Set(requested)].map((code) => ({ _id: code })));
  });
});
