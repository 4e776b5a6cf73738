import type mongoose from 'mongoose';

/**
 * An in-memory stand-in for the few Mongoose model calls the versioned store makes (point reads,
 * inserts with a unique `_id`, replace and delete by filter), so its protocol is unit-tested.
 * The hooks let a test play a rival writer at the exact step a race needs.
 */
export class FakeModel<T extends { _id: string; version?: number }> {
  readonly rows = new Map<string, T>();
  /** Runs before each insert (after it, with `afterCreate`): a rival claiming or writing in between. */
  beforeCreate: ((row: T) => void) | undefined;
  afterCreate: ((row: T) => void) | undefined;

  findById(id: string) {
    return { lean: () => ({ exec: async () => this.get(id) }) };
  }

  get(id: string): T | null {
    const row = this.rows.get(id);
    return row ? structuredClone(row) : null;
  }

  async create(row: T): Promise<T> {
    this.beforeCreate?.(row);
    if (this.rows.has(row._id))
      throw Object.assign(new Error(`E11000 duplicate key error: ${row._id}`), { code: 11000 });
    this.rows.set(row._id, structuredClone(row));
    this.afterCreate?.(row);
    return row;
  }

  /** Runs before each replace: a rival writing in between our read and our write. */
  beforeReplace: ((row: T) => void) | undefined;
  /** Every row a replace wrote, in order. */
  readonly replaced: T[] = [];

  /** By `_id`, and where given, only over a row whose `version` is below `$not.$gte` (or missing). */
  replaceOne(filter: { _id: string; version?: { $not: { $gte: number } } }, row: T) {
    return {
      exec: async () => {
        this.beforeReplace?.(row);
        const current = this.rows.get(filter._id);
        if (!current) return { matchedCount: 0 };
        if (filter.version && (current.version ?? 0) >= filter.version.$not.$gte) return { matchedCount: 0 };
        this.rows.set(filter._id, structuredClone(row));
        this.replaced.push(structuredClone(row));
        return { matchedCount: 1 };
      },
    };
  }

  deleteOne(filter: Partial<T>) {
    return { exec: async () => ({ deletedCount: this.remove(filter, 1) }) };
  }

  deleteMany(filter: Partial<T>) {
    return { exec: async () => ({ deletedCount: this.remove(filter, Infinity) }) };
  }

  /** This fake where the store expects a model (it implements only what the store calls). */
  model<M extends object = T>(): mongoose.Model<M> {
    return this as unknown as mongoose.Model<M>;
  }

  private remove(filter: Partial<T>, limit: number): number {
    let removed = 0;
    for (const [id, row] of this.rows) {
      if (removed >= limit) break;
      const matches = Object.entries(filter).every(([field, value]) => row[field as keyof T] === value);
      if (matches) {
        this.rows.delete(id);
        removed++;
      }
    }
    return removed;
  }
}
