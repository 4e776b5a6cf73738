import { describeEntityBatching, numberedPeople } from '@rideshare/testing';
import type { DriverDocument } from '../src/models';
import { createDriversServer } from '../src/server';

const car = { make: 'Toyota', model: 'Prius', year: 2021, color: 'Blue', licensePlate: 'ABC123' };
const codes = ['DRV-1', 'DRV-2', 'DRV-3', 'DRV-4', 'DRV-5'];

describeEntityBatching({
  service: 'drivers',
  build: createDriversServer,
  typename: 'Driver',
  selection: 'code firstName',
  documents: numberedPeople(codes, () => ({ car })),
  requested: ['DRV-4', 'DRV-2', 'NOPE-1', 'DRV-5', 'DRV-1', 'DRV-3', 'DRV-4'],
  expected: [
    { code: 'DRV-4', firstName: 'First4' },
    { code: 'DRV-2', firstName: 'First2' },
    null,
    { code: 'DRV-5', firstName: 'First5' },
    { code: 'DRV-1', firstName: 'First1' },
    { code: 'DRV-3', firstName: 'First3' },
    { code: 'DRV-4', firstName: 'First4' },
  ],
  alsoOnSubgraph: (subgraph) => {
    it('should record the queries the server runs through the connection debug hook', async () => {
      subgraph().queries.length = 0;
      await subgraph().connection.model<DriverDocument>('Driver').find({ code: 'DRV-1' }).lean();
      expect(subgraph().queries.map((q) => [q.collection, q.method])).toEqual([['drivers', 'find']]);
    });
  },
});
