import { serviceSigner, type ChangeEntry } from '@rideshare/common';
import { postGraphQL, startSubgraphInProcess, type InProcessSubgraph } from '@rideshare/testing';
import type { DriverDocument, DriverRecord } from '../src/models';
import { createDriversServer } from '../src/server';
import { AVAILABILITY, MOVE, car } from './driver-operations';

describe('drivers subgraph under concurrent updates of one driver', () => {
  let subgraph: InProcessSubgraph;
  // The orchestrator (availability) and a driver's app (location) write the same driver at any time.
  const call = (query: string, variables: Record<string, unknown>) =>
    postGraphQL(subgraph.url, query, variables, serviceSigner('test'));
  // The models the server registered; registering them again would re-run index builds.
  const drivers = () => subgraph.connection.model<DriverDocument>('Driver');
  const changes = () => subgraph.connection.model<ChangeEntry<DriverDocument>>('DriverChange');

  beforeAll(async () => {
    subgraph = await startSubgraphInProcess('drivers', createDriversServer);
    await drivers().create({
      _id: 'DRV-1',
      code: 'DRV-1',
      firstName: 'Ada',
      lastName: 'Moves',
      car,
      isAcceptingRides: false,
    });
  });

  afterAll(async () => {
    await subgraph.stop();
  });

  it('should keep both a location update and an availability change made at the same time', async () => {
    // Without serialized updates FerretDB loses one of the two in about a third of the rounds.
    for (let round = 1; round <= 12; round++) {
      const location = { latitude: 47 + round / 1000, longitude: -122 };
      const on = round % 2 === 1;
      const results = await Promise.all([
        call(MOVE, { code: 'DRV-1', location }),
        call(AVAILABILITY, { code: 'DRV-1', on }),
      ]);
      expect(results.map((r) => r.errors)).toEqual([undefined, undefined]);
      const driver = await drivers().findById('DRV-1').lean<DriverRecord>();
      expect({ round, location: driver?.location, on: driver?.isAcceptingRides }).toEqual({
        round,
        location,
        on,
      });
    }
    // Each update claimed exactly one version of the driver.
    expect(await changes().countDocuments({ key: 'DRV-1' })).toBe(24);
    expect((await drivers().findById('DRV-1').lean<DriverRecord>())?.version).toBe(24);
  });

  it('should show and build on a change whose writer died after logging it', async () => {
    const before = await drivers().findById('DRV-1').lean<DriverRecord>();
    const version = (before?.version ?? 0) + 1;
    // What a writer leaves when it dies between claiming a version and writing the document.
    await changes().create({
      _id: `DRV-1:${version}`,
      key: 'DRV-1',
      version,
      set: { firstName: 'Logged', updatedAt: new Date() },
      createdAt: new Date(),
    });

    const read = await call('query ($code: ID!) { driver(code: $code) { firstName } }', { code: 'DRV-1' });
    expect(read.data).toEqual({ driver: { firstName: 'Logged' } });
    const moved = await call(AVAILABILITY, { code: 'DRV-1', on: true });
    expect(moved.errors).toBeUndefined();
    const after = await drivers().findById('DRV-1').lean<DriverRecord>();
    expect({ firstName: after?.firstName, on: after?.isAcceptingRides, version: after?.version }).toEqual({
      firstName: 'Logged',
      on: true,
      version: version + 1,
    });
  });
});
