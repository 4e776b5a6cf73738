import { mapLimit } from '@rideshare/common';
import type { TestSystem } from '../testing';
import type { SystemDatabases } from '../trip-testing';
import type { ArchivedTripView, FactView, LedgerTrip } from './wave-checks';

// Reading what a wave left behind: the trips through the gateway, their archive and reporting facts
// straight from the test system's databases.

const LEDGER_FIELDS = `code status version error durationSeconds monitorIterations driver { code }
  events { type version occurredAt }`;
/** Trips per request: well inside the gateway's alias and cost limits. */
const CHUNK = 10;

/** The trips, as the public graph reports them now. */
export async function readLedger(system: TestSystem, codes: string[]): Promise<LedgerTrip[]> {
  const chunks = Array.from({ length: Math.ceil(codes.length / CHUNK) }, (_, i) =>
    codes.slice(i * CHUNK, (i + 1) * CHUNK),
  );
  const read = await mapLimit(chunks, 4, async (chunk) => {
    const fields = chunk.map((code, i) => `t${i}: trip(code: ${JSON.stringify(code)}) { ${LEDGER_FIELDS} }`);
    const res = await system.query<Record<string, LedgerTrip>>(`{ ${fields.join(' ')} }`);
    if (res.errors || !res.data) throw new Error(`reading trips: ${JSON.stringify(res.errors ?? res)}`);
    return chunk.map((_, i) => res.data![`t${i}`]!);
  });
  return read.flat();
}

export interface StoredEvidence {
  archived: Map<string, ArchivedTripView>;
  facts: Map<string, FactView | null>;
}

/** Each trip's archived events and final trip, and its reporting fact. */
export async function readStored(dbs: SystemDatabases, codes: string[]): Promise<StoredEvidence> {
  const events = dbs.archive.collection<{ _id: string; tripCode: string; version: number }>('trip_events');
  const finals = dbs.archive.collection<{ _id: string; status: string; version: number }>('trips');
  const facts = dbs.trips.collection<FactView & { _id: string }>('trip_facts');
  const rows = await mapLimit(codes, 8, async (code) => {
    const [archivedEvents, final, fact] = await Promise.all([
      events.find({ tripCode: code }).toArray(),
      finals.findOne({ _id: code }),
      facts.findOne({ _id: code }),
    ]);
    const archived: ArchivedTripView = {
      eventIds: archivedEvents.sort((a, b) => a.version - b.version).map((e) => e._id),
      final: final && { status: final.status, version: final.version },
    };
    const view: FactView | null = fact && {
      status: fact.status,
      version: fact.version,
      driverCode: fact.driverCode,
      durationSeconds: fact.durationSeconds,
      monitorIterations: fact.monitorIterations,
      error: fact.error,
    };
    return { code, archived, fact: view };
  });
  return {
    archived: new Map(rows.map((r) => [r.code, r.archived])),
    facts: new Map(rows.map((r) => [r.code, r.fact])),
  };
}

/**
 * The reporting projection's totals against the trips' own live counts: every finished trip is
 * counted once, as what it became.
 */
export async function statsAgainstTrips(system: TestSystem): Promise<string[]> {
  const res = await system.query<{
    tripStats: { completed: number; aborted: number; byStatus: Array<{ status: string; count: number }> };
  }>('{ tripStats { completed aborted byStatus { status count } } }');
  if (!res.data) return [`tripStats: ${JSON.stringify(res.errors)}`];
  const { completed, aborted, byStatus } = res.data.tripStats;
  const live = (status: string) => byStatus.find((s) => s.status === status)?.count ?? 0;
  const problems: string[] = [];
  if (completed !== live('COMPLETED'))
    problems.push(`tripStats counts ${completed} completed, the trips ${live('COMPLETED')}`);
  if (aborted !== live('ABORTED'))
    problems.push(`tripStats counts ${aborted} aborted, the trips ${live('ABORTED')}`);
  return problems;
}
