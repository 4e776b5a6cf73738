import { serviceHeaders } from '@rideshare/common';
import {
  postGraphQL,
  startSubgraphInProcess,
  type InProcessSubgraph,
} from '../../../tools/stack/src/testing';
import type { DriverDocument, DriverRecord } from '../src/models';
import { createDriversServer } from '../src/server';

const car = { make: 'Toyota', model: 'Prius', year: 2021, color: 'Blue', licensePlate: 'ABC123' };
const MOVE =
  'mutation ($code: ID!, $location: GeoPointInput!) { updateDriverLocation(code: $code, location: $location) { code } }';
const AVAILABILITY =
  'mutation ($code: ID!, $on: Boolean!) { setDriverAvailability(code: $code, isAcceptingRides: $on) { code } }';

describe('drivers subgraph under concurrent updates of one driver', () => {
  let subgraph: InProcessSubgraph;
  // The orchestrator (availability) and a driver's app (location) write the same driver at any time.
  const call = (query: string, variables: Record<string, unknown>) =>
    postGraphQL(subgraph.url, query, variables, serviceHeaders('test'));

  beforeAll(async () => {
    subgraph = await startSubgraphInProcess('drivers', createDriversServer);
    await subgraph.connection.model<DriverDocument>('Driver').create({
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
      const driver = await subgraph.connection
        .model<DriverDocument>('Driver')
        .findById('DRV-1')
        .lean<DriverRecord>();
      expect({ round, location: driver?.location, on: driver?.isAcceptingRides }).toEqual({
        round,
        location,
        on,
      });
    }
  });
});
