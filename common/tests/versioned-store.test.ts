import { isDuplicateKeyError } from '../src/errors';
import {
  changeId,
  createVersionedStore,
  VersionConflictError,
  type ChangeEntry,
  type ChangeSet,
  type Stored,
} from '../src/versioned-log';
import { FakeModel } from './fake-model';
import type { Doc } from './versioned-doc';

// The store's protocol against an in-memory model: claims, catch-up, lost races, deletes. The real
// databases are exercised by the drivers' integration tests; these pin each branch.

function setup(maxAttempts = 20) {
  const documents = new FakeModel<Doc>();
  const changes = new FakeModel<ChangeEntry<Doc>>();
  const store = createVersionedStore<Doc>({
    documents: documents.model(),
    changes: changes.model(),
    maxAttempts,
    backoffMs: 0,
  });
  /** A rival writer's claim, logged without projecting it (as when its writer dies right after). */
  const logRival = (version: number, set: ChangeSet<Doc>) =>
    changes.rows.set(changeId('D-1', version), {
      _id: changeId('D-1', version),
      key: 'D-1',
      version,
      set,
      createdAt: new Date(),
    });
  return { documents, changes, store, logRival };
}

const ada: Doc = { _id: 'D-1', name: 'Ada', on: false };

describe('createVersionedStore', () => {
  it('should create a document at version 0 and refuse a second one with the same key', async () => {
    const { store } = setup();
    await expect(store.create(ada)).resolves.toEqual({ ...ada, version: 0 });
    await expect(store.read('D-1')).resolves.toEqual({ ...ada, version: 0 });
    const second = await store.create(ada).catch((err: unknown) => err);
    expect(isDuplicateKeyError(second)).toBe(true);
  });

  it('should read a document stored without a version as version 0, and a missing one as null', async () => {
    const { documents, store } = setup();
    documents.rows.set('D-1', ada);
    await expect(store.read('D-1')).resolves.toEqual({ ...ada, version: 0 });
    await expect(store.read('D-2')).resolves.toBeNull();
  });

  it('should claim the next version in the log, then write the full new state', async () => {
    const { documents, changes, store } = setup();
    await store.create(ada);
    await expect(store.change('D-1', () => ({ on: true }))).resolves.toEqual({
      ...ada,
      on: true,
      version: 1,
    });
    expect(changes.get('D-1:1')).toMatchObject({ _id: 'D-1:1', key: 'D-1', version: 1, set: { on: true } });
    expect(documents.get('D-1')).toEqual({ ...ada, on: true, version: 1 });
  });

  it('should show decide the latest state and log nothing when it has nothing to do', async () => {
    const { changes, store } = setup();
    await store.create(ada);
    await store.change('D-1', () => ({ name: 'Bea' }));
    const seen: Array<Stored<Doc>> = [];
    const result = await store.change('D-1', (current) => {
      seen.push(current);
      return null;
    });
    expect(seen).toEqual([{ ...ada, name: 'Bea', version: 1 }]);
    expect(result).toEqual({ ...ada, name: 'Bea', version: 1 });
    expect(changes.rows.size).toBe(1);
  });

  it('should return null for a missing document without asking decide', async () => {
    const { store } = setup();
    const decide = jest.fn(() => ({ on: true }));
    await expect(store.change('D-1', decide)).resolves.toBeNull();
    expect(decide).not.toHaveBeenCalled();
  });

  it('should catch up on read with changes logged but never written (their writer died)', async () => {
    const { documents, store, logRival } = setup();
    await store.create(ada);
    logRival(1, { on: true });
    logRival(2, { name: 'Bea' });
    await expect(store.read('D-1')).resolves.toEqual({ _id: 'D-1', name: 'Bea', on: true, version: 2 });
    expect(documents.get('D-1')).toEqual({ _id: 'D-1', name: 'Bea', on: true, version: 2 });
  });

  it('should re-decide on the rival state after losing a claim, keeping both changes', async () => {
    const { documents, store, logRival } = setup();
    await store.create(ada);
    const seen: Array<Stored<Doc>> = [];
    const result = await store.change('D-1', (current) => {
      seen.push(current);
      if (seen.length === 1) logRival(1, { name: 'Bea' }); // a rival claims version 1 while we decide
      return { on: true };
    });
    expect(seen.map((s) => [s.version, s.name])).toEqual([
      [0, 'Ada'],
      [1, 'Bea'],
    ]);
    expect(result).toEqual({ _id: 'D-1', name: 'Bea', on: true, version: 2 });
    expect(documents.get('D-1')).toEqual(result);
  });

  it('should put back a later version that a rival logged while we were writing ours', async () => {
    const { documents, changes, store, logRival } = setup();
    await store.create(ada);
    changes.afterCreate = (entry) => {
      if (entry.version === 1) logRival(2, { name: 'Bea' });
    };
    await expect(store.change('D-1', () => ({ on: true }))).resolves.toEqual({
      ...ada,
      on: true,
      version: 1,
    });
    expect(documents.get('D-1')).toEqual({ _id: 'D-1', name: 'Bea', on: true, version: 2 });
  });

  it('should not put an older state over a newer one when catching up from a stale read', async () => {
    const { documents, store, logRival } = setup();
    await store.create(ada);
    // Two changes logged; while we catch up on the first, a rival writes the second.
    logRival(1, { on: true });
    logRival(2, { name: 'Bea' });
    const latest = { ...ada, on: true, name: 'Bea', version: 2 };
    documents.beforeReplace = () => {
      documents.beforeReplace = undefined;
      documents.rows.set('D-1', structuredClone(latest));
    };
    await expect(store.read('D-1')).resolves.toEqual(latest);
    // Neither version 1 nor our copy of version 2 was written over the rival's version 2.
    expect(documents.replaced).toEqual([]);
    expect(documents.get('D-1')).toEqual(latest);
  });

  it('should give up with a retriable VersionConflictError after losing every attempt', async () => {
    const { changes, store } = setup(3);
    await store.create(ada);
    // Every claim is taken by a rival just before ours, and the rival never writes the document.
    changes.beforeCreate = (entry) => changes.rows.set(entry._id, { ...entry, set: {} });
    const err = await store.change('D-1', () => ({ on: true })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VersionConflictError);
    expect(err).toMatchObject({ key: 'D-1', attempts: 3, retriable: true });
  });

  it('should drop its claim when the document was deleted between the read and the claim', async () => {
    const { documents, changes, store } = setup();
    await store.create(ada);
    const result = await store.change('D-1', () => {
      documents.rows.delete('D-1');
      return { on: true };
    });
    expect(result).toBeNull();
    expect(changes.rows.size).toBe(0);
  });

  it('should pass on what decide throws, changing nothing', async () => {
    const { documents, changes, store } = setup();
    await store.create(ada);
    const refuse = () => {
      throw new Error('not allowed');
    };
    await expect(store.change('D-1', refuse)).rejects.toThrow('not allowed');
    expect(changes.rows.size).toBe(0);
    expect(documents.get('D-1')).toEqual({ ...ada, version: 0 });
  });

  it('should remove the document with its log, so a re-created one starts from version 0', async () => {
    const { changes, store } = setup();
    await store.create(ada);
    await store.change('D-1', () => ({ on: true }));
    await expect(store.remove('D-1')).resolves.toBe(true);
    expect(changes.rows.size).toBe(0);
    await expect(store.remove('D-1')).resolves.toBe(false);
    await store.create({ ...ada, name: 'Cy' });
    await expect(store.read('D-1')).resolves.toEqual({ ...ada, name: 'Cy', version: 0 });
  });
});
