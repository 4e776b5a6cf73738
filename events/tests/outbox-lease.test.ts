import { createOutboxLease } from '../src/outbox-lease';

/** A collection with a unique _id, as the database keeps it: the first insert of a key wins. */
function uniqueStore() {
  const docs = new Map<string, { owner: string }>();
  const inserts: string[] = [];
  return {
    docs,
    inserts,
    insertOne: async (doc: { _id: string; owner: string; at: Date }) => {
      inserts.push(`${doc.owner}:${doc._id}`);
      if (docs.has(doc._id)) throw Object.assign(new Error('E11000 duplicate key'), { code: 11000 });
      docs.set(doc._id, { owner: doc.owner });
      return { acknowledged: true, insertedId: doc._id };
    },
    deleteOne: async (filter: { _id: string }) => {
      const deletedCount = docs.delete(filter._id) ? 1 : 0;
      return { acknowledged: true, deletedCount };
    },
  };
}

describe('the outbox lease', () => {
  it('should let exactly one replica publish, keep it holding across terms, and hand over when it stops', async () => {
    const store = uniqueStore();
    let clock = 0;
    const options = { termMs: 1_000, marginMs: 200, now: () => clock };
    const a = createOutboxLease(store, 'trips', options);
    const b = createOutboxLease(store, 'trips', options);

    // Both poll every 100 ms for 5 terms: a, first, holds all of them; b never does.
    const holders: string[] = [];
    for (; clock < 5_000; clock += 100) {
      const [heldA, heldB] = await Promise.all([a.held(), b.held()]);
      expect(heldA && heldB).toBe(false);
      holders.push(heldA ? 'a' : heldB ? 'b' : '-');
    }
    expect(new Set(holders)).toEqual(new Set(['a']));

    // a stops polling (it died). Its next term was claimed already, so b takes over at the one after.
    const after: string[] = [];
    for (; clock < 8_000; clock += 100) after.push((await b.held()) ? 'b' : '-');
    expect(after.slice(0, 10)).toEqual(Array(10).fill('-'));
    expect(after.slice(10)).toEqual(Array(20).fill('b'));
    // Only the current and the next term are kept: each winner removes the one two before.
    expect([...store.docs.keys()].sort()).toEqual(['trips:7', 'trips:8']);
  });

  it('should not publish in the last margin of a term it could not extend', async () => {
    const store = uniqueStore();
    let clock = 0;
    const options = { termMs: 1_000, marginMs: 200, now: () => clock };
    const a = createOutboxLease(store, 'trips', options);
    expect(await a.held()).toBe(true);
    // Another replica (its clock ahead) has won term 1 already.
    store.docs.set('trips:1', { owner: 'other' });
    clock = 850;
    expect(await a.held()).toBe(false);
  });

  it('should try each term once while another replica holds it, not on every pass', async () => {
    const store = uniqueStore();
    let clock = 0;
    const options = { termMs: 1_000, marginMs: 200, now: () => clock };
    const a = createOutboxLease(store, 'trips', options);
    const b = createOutboxLease(store, 'trips', options);
    for (; clock < 3_000; clock += 100) await Promise.all([a.held(), b.held()]);
    // 30 passes over terms 0..2: b tried each once and lost it to a.
    expect(store.inserts.filter((i) => i.startsWith(`${b.owner}:`))).toEqual([
      `${b.owner}:trips:0`,
      `${b.owner}:trips:1`,
      `${b.owner}:trips:2`,
    ]);
  });
});
