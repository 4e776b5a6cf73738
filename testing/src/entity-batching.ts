import type mongoose from 'mongoose';
import type { Listening, Logger } from '@rideshare/common';
import { queryEntities, startSubgraphInProcess, type InProcessSubgraph } from './testing';

export interface EntityBatchingSuite<T> {
  /** The subgraph as its service is named (`drivers`); its entity's collection has the same name. */
  service: string;
  build: (connection: mongoose.Connection, log: Logger) => Promise<Listening>;
  /** The entity type, which is also the name of the model its server registers (`Driver`). */
  typename: string;
  selection: string;
  documents: object[];
  /** Codes to resolve in one `_entities` call: an unknown one and a repeated one among them. */
  requested: string[];
  expected: Array<T | null>;
  /** More tests on the same subgraph, run before the batching one. */
  alsoOnSubgraph?: (subgraph: () => InProcessSubgraph) => void;
}

/**
 * One subgraph's entity batching suite, on a subgraph of its own with `documents` inserted: resolving
 * `requested` through `_entities` (as the gateway batches them) answers `expected`, in order with
 * null for an unknown code, at one point read by `_id` per distinct code (FerretDB reads a whole
 * collection for `$in`).
 */
export function describeEntityBatching<T>(suite: EntityBatchingSuite<T>): void {
  const noun = suite.typename.toLowerCase();
  describe(`${suite.service} subgraph entity batching`, () => {
    let subgraph: InProcessSubgraph;

    beforeAll(async () => {
      subgraph = await startSubgraphInProcess(suite.service, suite.build);
      // The model the server registered; registering it again would re-run index builds.
      await subgraph.connection.model(suite.typename).insertMany(suite.documents);
    });

    afterAll(async () => {
      await subgraph.stop();
    });

    suite.alsoOnSubgraph?.(() => subgraph);

    it(`should resolve ${noun} references, one unknown and one repeated, with one read by _id per distinct ${noun}, in order`, async () => {
      subgraph.queries.length = 0;
      const res = await queryEntities<T>(subgraph.url, suite.typename, suite.selection, suite.requested);
      expect(res.errors).toBeUndefined();
      expect(res.data?._entities).toEqual(suite.expected);
      const distinct = [...new Set(suite.requested)];
      const calls = subgraph.queries.filter((q) => q.collection === suite.service);
      expect(calls.map((q) => q.method)).toEqual(distinct.map(() => 'findOne'));
      expect(calls.map((q) => q.args[0])).toEqual(distinct.map((code) => ({ _id: code })));
    });
  });
}

/** People documents (drivers, passengers) numbered by their place in `codes`: First1 Last1, First2 Last2 … */
export const numberedPeople = <E extends object>(codes: string[], more: (n: number) => E) =>
  codes.map((code, i) => ({
    _id: code,
    code,
    firstName: `First${i + 1}`,
    lastName: `Last${i + 1}`,
    ...more(i + 1),
  }));
