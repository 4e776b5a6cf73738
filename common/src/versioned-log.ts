import mongoose from 'mongoose';
import { mapLimit } from './concurrency';
import { isDuplicateKeyError } from './errors';
import { currentTraceCarrier, type TraceCarrier } from './tracing/context';

/**
 * A document whose every change is claimed in a change log, so concurrent writers in any number of
 * processes never lose an update.
 *
 * Why: FerretDB applies `$set` (and conditional `findOneAndUpdate`) as a read-modify-write in Go, outside
 * any transaction, so two writers of one document can lose each other's fields. The one atomic primitive
 * with the same semantics on FerretDB and MongoDB is a unique `_id` insert: exactly one writer gets
 * `key:N`, the others get error 11000. The trips event log works the same way
 * (subgraphs/trips/src/lifecycle/store.ts).
 *
 * Protocol: a writer reads the document at version N (catching up from the log), decides its change,
 * claims `key:N+1` by inserting the change entry, then replaces the document by `_id` with the FULL new
 * state (never a delta: FerretDB could combine its stale read with the delta), only where it holds an
 * older version. On MongoDB that condition is atomic; FerretDB checks it on its own read just before
 * its write, so in that short window a late writer may still put back an older state: whoever writes
 * version N then looks for N+1 in the log and catches up, so the last write is never older than the
 * log. Every read and write is by `_id`.
 *
 * Outbox: a change claimed with `publish` carries `published: false` in the same insert, so a change
 * the database committed is never lost to Kafka; a relay reads those entries (an indexed equality) and
 * marks them once sent (events/src/outbox-relay.ts).
 */

/** A document a versioned store keeps: `_id` is its key; `version` counts its logged changes (missing = 0). */
export interface Versioned {
  _id: string;
  version?: number;
}

/** A document as the store returns it: the version is always there. */
export type Stored<D extends Versioned> = D & { version: number };

/**
 * The filter on `version` of a document older than `version` (a missing version counts as 0): a
 * projection of version N writes only over such a document, so a catch-up from a stale read never puts
 * an older state back over a newer one.
 */
export const olderThanVersion = (version: number) => ({ $not: { $gte: version } });

/** The fields one change sets. `_id` and `version` belong to the store. */
export type ChangeSet<D extends Versioned> = Partial<Omit<D, '_id' | 'version'>>;

/** One claimed version in the change log. */
export interface ChangeEntry<D extends Versioned> {
  /** `changeId(key, version)`: the unique claim. */
  _id: string;
  key: string;
  version: number;
  set: ChangeSet<D>;
  createdAt: Date;
  /** Only on changes claimed with `publish`: false until an outbox relay has sent them. */
  published?: boolean;
  /** Only on changes claimed with `publish`: the writer's trace context, which the relay continues. */
  trace?: TraceCarrier;
}

/** The `_id` of the change that makes version `version` of document `key`. */
export function changeId(key: string, version: number): string {
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new RangeError(`change version must be an integer of at least 1, got ${version}`);
  }
  return `${key}:${version}`;
}

/**
 * The document after one change: the current state, the change's fields over it, the new version.
 * An `undefined` value is refused: MongoDB drivers store it as null (or drop it), so the state written
 * would differ from the state logged.
 */
export function applyChangeSet<D extends Versioned>(
  current: Stored<D>,
  set: ChangeSet<D>,
  version: number,
): Stored<D> {
  const undefinedField = Object.entries(set).find(([, value]) => value === undefined);
  if (undefinedField) throw new TypeError(`change of ${current._id} sets ${undefinedField[0]} to undefined`);
  return { ...current, ...set, version };
}

/** The schema of a change log collection (one per kind of document); `outbox` indexes `published`. */
export function changeLogSchema<D extends Versioned>(
  options: { outbox?: boolean } = {},
): mongoose.Schema<ChangeEntry<D>> {
  const schema = new mongoose.Schema<ChangeEntry<D>>(
    {
      _id: { type: String, required: true },
      key: { type: String, required: true },
      version: { type: Number, required: true },
      set: { type: mongoose.Schema.Types.Mixed, required: true },
      createdAt: { type: Date, required: true },
    },
    // minimize: an empty change is still a claimed version and must keep its `set`.
    { versionKey: false, minimize: false },
  );
  // Only `remove` and tests filter by key; claims and catch-up read by `_id`.
  schema.index({ key: 1, version: 1 });
  if (options.outbox) {
    schema.add({ published: { type: Boolean }, trace: { type: mongoose.Schema.Types.Mixed } });
    // The relay's poll: an equality FerretDB pushes down, so it reads only pending entries.
    schema.index({ published: 1 });
  }
  return schema;
}

/** Raised when a document kept changing under every attempt; retrying later may succeed. */
export class VersionConflictError extends Error {
  readonly retriable = true;
  constructor(
    readonly key: string,
    readonly attempts: number,
  ) {
    super(`${key} changed concurrently ${attempts} times in a row`);
    this.name = 'VersionConflictError';
  }
}

export interface VersionedStoreOptions<D extends Versioned> {
  documents: mongoose.Model<D>;
  changes: mongoose.Model<ChangeEntry<D>>;
  /** Claims tried before giving up with VersionConflictError. Default 20. */
  maxAttempts?: number;
  /** Wait after a lost claim, times the attempt number (the winner is projecting). Default 5 ms. */
  backoffMs?: number;
}

/** Returns the fields to set, or null when nothing is to be done. May throw to refuse the change. */
export type Decide<D extends Versioned> = (
  current: Stored<D>,
) => ChangeSet<D> | null | Promise<ChangeSet<D> | null>;

export interface ChangeOptions {
  /** Claim the change as an outbox entry (`published: false`), for a relay to send. */
  publish?: boolean;
}

export interface VersionedStore<D extends Versioned> {
  /** The document at the latest logged version, or null. */
  read(key: string): Promise<Stored<D> | null>;
  /**
   * Applies `decide`'s change to the latest version, re-deciding after a concurrent change. Returns the
   * state this change produced (the current one when `decide` returns null), or null when there is no
   * such document.
   */
  change(key: string, decide: Decide<D>, options?: ChangeOptions): Promise<Stored<D> | null>;
  /** Inserts a new document at version 0; throws the duplicate-key error when the key exists. */
  create(doc: D): Promise<Stored<D>>;
  /**
   * Deletes the document and its change log; false when there was none. A change claimed while the
   * document is being deleted drops its own claim when it finds the document gone, so a re-created
   * document starts from an empty log.
   */
  remove(key: string): Promise<boolean>;
  /** The outbox: changes claimed with `publish` and not yet marked published (needs `outbox` in the schema). */
  unpublished(): Promise<Array<ChangeEntry<D>>>;
  markPublished(entries: ReadonlyArray<Pick<ChangeEntry<D>, '_id'>>): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createVersionedStore<D extends Versioned>(
  options: VersionedStoreOptions<D>,
): VersionedStore<D> {
  const { documents, changes, maxAttempts = 20, backoffMs = 5 } = options;

  const readDocument = async (key: string): Promise<Stored<D> | null> => {
    const doc = await documents.findById(key).lean<D>().exec();
    return doc ? { ...doc, version: doc.version ?? 0 } : null;
  };

  const loggedChange = (key: string, version: number) =>
    changes.findById(changeId(key, version)).lean<ChangeEntry<D>>().exec();

  /**
   * Writes the full state by `_id` over an older document (olderThanVersion). Returns what the document
   * holds now: this state, the newer one found instead, or null when it was deleted meanwhile.
   */
  const project = async (state: Stored<D>): Promise<Stored<D> | null> => {
    const older = { _id: state._id, version: olderThanVersion(state.version) };
    // timestamps off: the state is exactly what the log says, whoever projects it.
    const result = await documents.replaceOne(older, state, { timestamps: false }).exec();
    return result.matchedCount > 0 ? state : readDocument(state._id);
  };

  /** Projects every logged version after `doc`'s, each step the same values whoever runs it. */
  const catchUp = async (doc: Stored<D> | null): Promise<Stored<D> | null> => {
    let current = doc;
    while (current) {
      const next = await loggedChange(current._id, current.version + 1);
      if (!next) return current;
      current = await project(applyChangeSet(current, next.set, next.version));
    }
    return null;
  };

  const read = async (key: string) => catchUp(await readDocument(key));

  /** Claims the next version; false when another writer has it. */
  const claim = async (
    key: string,
    version: number,
    set: ChangeSet<D>,
    { publish = false }: ChangeOptions,
  ): Promise<boolean> => {
    const entry: ChangeEntry<D> = {
      _id: changeId(key, version),
      key,
      version,
      set,
      createdAt: new Date(),
      ...(publish ? { published: false, trace: currentTraceCarrier() } : {}),
    };
    try {
      await changes.create(entry);
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  };

  const change = async (
    key: string,
    decide: Decide<D>,
    options: ChangeOptions = {},
  ): Promise<Stored<D> | null> => {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const current = await read(key);
      if (!current) return null;
      const set = await decide(current);
      if (!set) return current;
      const next = applyChangeSet(current, set, current.version + 1);
      if (!(await claim(key, next.version, set, options))) {
        await sleep(backoffMs * attempt);
        continue;
      }
      const projected = await project(next);
      if (!projected) {
        // Deleted between our read and our claim: drop the claim so a re-created document starts clean.
        await changes.deleteOne({ _id: changeId(key, next.version) }).exec();
        return null;
      }
      // A writer of a later version may have projected before us: put it back.
      await catchUp(projected);
      return next;
    }
    throw new VersionConflictError(key, maxAttempts);
  };

  const create = async (doc: D): Promise<Stored<D>> => {
    await documents.create({ ...doc, version: 0 });
    // Read back for what the schema added (defaults, timestamps).
    const created = await readDocument(doc._id);
    if (!created) throw new Error(`${doc._id} was deleted right after it was created`);
    return created;
  };

  const remove = async (key: string): Promise<boolean> => {
    const { deletedCount } = await documents.deleteOne({ _id: key }).exec();
    if (deletedCount === 0) return false;
    await changes.deleteMany({ key }).exec();
    return true;
  };

  const unpublished = () => changes.find({ published: false }).lean<Array<ChangeEntry<D>>>().exec();

  const markPublished = async (entries: ReadonlyArray<Pick<ChangeEntry<D>, '_id'>>) => {
    // One small write per entry, a few at a time (a FerretDB write command holds a connection).
    await mapLimit(entries, 20, (e) =>
      changes.updateOne({ _id: e._id }, { $set: { published: true } }).exec(),
    );
  };

  return { read, change, create, remove, unpublished, markPublished };
}
