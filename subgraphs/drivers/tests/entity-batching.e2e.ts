import { queryEntities, startSubgraphInProcess, type InProcessSubgraph } from '@rideshare/testing';
import type { DriverDocument } from '../src/models';
import { createDriversServer } from '../src/server';

const car = { make: 'Toyota', model: 'Prius', year: 2021, color: 'Blue', licensePlate: 'ABC123' };
const codes = ['DRV-1', 'DRV-2', 'DRV-3', 'DRV-4', 'DRV-5'];

describe('drivers subgraph entity batching', () => {
  let subgraph: InProcessSubgraph;

  beforeAll(async () => {
    subgraph = await startSubgraphInProcess('drivers', createDriversServer);
    // The model the server registered; registering it again would re-run index builds.
    await subgraph.connection.model<DriverDocument>('Driver').insertMany(
      codes.map((code, i) => ({
        _id: code,
        code,
        firstName: `First${i + 1}`,
        lastName: `Last${i + 1}`,
        car,
      })),
    );
  });

  afterAll(async () => {
    await subgraph.stop();
  });

  it('should record the queries the server runs through the connection debug hook', async () => {
    subgraph.queries.length = 0;
    await subgraph.connection.model<DriverDocument>('Driver').find({ code: 'DRV-1' }).lean();
    expect(subgraph.queries.map((q) => [q.collection, q.method])).toEqual([['drivers', 'find']]);
  });

  // One point read by `_id` per distinct driver: FerretDB reads a whole collection for `$in`.
  it('should resolve driver references, one unknown and one repeated, with one read by _id per distinct driver, in order', async () => {
    const requested = ['DRV-4', 'DRV-2', 'NOPE-1', 'DRV-5', 'DRV-1', 'DRV-3', 'DRV-4'];
    subgraph.queries.length = 0;

    const res = await queryEntities<{ code: string; firstName: string }>(
      subgraph.url,
      'Driver',
      'code firstName',
      requested,
    );

    expect(res.errors).toBeUndefined();
    expect(res.data?._entities).toEqual([
      { code: 'DRV-4', firstName: 'First4' },
      { code: 'DRV-2', firstName: 'First2' },
      null,
      { code: 'DRV-5', firstName: 'First5' },
      { code: 'DRV-1', firstName: 'First1' },
      { code: 'DRV-3', firstName: 'First3' },
      { code: 'DRV-4', firstName: 'First4' },
    ]);
    const calls = subgraph.queries.filter((q) => q.collection === 'drivers');
    expect(calls.map((q) => q.method)).toEqual(Array<string>(6).fill('findOne'));
    expect(calls.map((q) => q.args[0])).toEqual([...new Set(requested)].map((code) => ({ _id: code })));
  });
});
