import crypto from 'node:crypto';
import { isDuplicateKeyError } from '@rideshare/common';

/** Whether this replica's relay may publish now. */
export interface OutboxLease {
  held(): Promise<boolean>;
  /** Who this replica is in the lease documents (logs, tests). */
  readonly owner: string;
}

export interface LeaseOptions {
  /** Length of one term; a dead holder's outbox waits at most this long for another replica. */
  termMs?: number;
  /**
   * The end of a term that the holder does not use unless it has won the next one: replicas' clocks
   * may differ by up to this much without two of them publishing at once.
   */
  marginMs?: number;
  now?: () => number;
}

/** The store of terms (a MongoDB collection): one document per term won, `<relay>:<term>`. */
export interface LeaseCollection {
  insertOne(doc: { _id: string; owner: string; at: Date }): Promise<unknown>;
  deleteOne(filter: { _id: string }): Promise<unknown>;
}

/**
 * One publisher per outbox among any number of replicas. Time is cut into terms; a replica holds a
 * term by inserting its document first: a unique insert, which FerretDB makes atomic (its
 * findOneAndUpdate is not: see STACK-NOTES). The holder claims the next term before its own ends, so
 * it keeps publishing; when it dies, the first replica to reach the next term takes over. Every
 * replica keeps polling, so one that cannot publish is ready to take over.
 */
export function createOutboxLease(
  collection: LeaseCollection,
  relay: string,
  { termMs = 10_000, marginMs = 2_000, now = Date.now }: LeaseOptions = {},
): OutboxLease {
  const owner = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const won = new Set<number>();
  // Terms another replica holds: not tried again, so a waiting replica writes once per term, not per pass.
  const lost = new Set<number>();
  const claim = async (term: number): Promise<boolean> => {
    if (won.has(term)) return true;
    if (lost.has(term)) return false;
    try {
      await collection.insertOne({ _id: `${relay}:${term}`, owner, at: new Date(now()) });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      lost.add(term);
      lost.delete(term - 2);
      return false;
    }
    won.add(term);
    won.delete(term - 2);
    // Old terms are kept for two terms (who published when), then removed by their next winner.
    await collection.deleteOne({ _id: `${relay}:${term - 2}` });
    return true;
  };
  return {
    owner,
    async held() {
      const at = now();
      const term = Math.floor(at / termMs);
      if (!(await claim(term))) return false;
      const endsIn = (term + 1) * termMs - at;
      return endsIn > marginMs || (await claim(term + 1));
    },
  };
}
