import { COMPLETED_HISTORY, type TripStatusName } from '../trip-testing';

// The fault suite's invariants, as pure functions over what a wave left behind (the trips, their
// archive, their reporting facts, what their subscribers received), so each rule is unit-tested.

export interface LedgerTrip {
  code: string;
  status: TripStatusName;
  version: number;
  error: string | null;
  driver: { code: string } | null;
  durationSeconds: number | null;
  monitorIterations: number;
  events: Array<{ type: string; version: number; occurredAt: string }>;
}

export interface ArchivedTripView {
  /** `_id`s of the archived events, by version. */
  eventIds: string[];
  /** The archived final trip, or null when none. */
  final: { status: string; version: number } | null;
}

export interface FactView {
  status: string;
  version: number;
  driverCode: string | null;
  durationSeconds: number | null;
  monitorIterations: number;
  error: string | null;
}

export interface WatchView {
  /** Versions in arrival order, over every connection of the subscriber. */
  versions: number[];
  /** The stream completed (after the trip's last event). */
  completed: boolean;
  /** What went wrong on the way (update errors, lost connections), distinct, for the report. */
  troubles: string[];
}

export interface TripEvidence {
  archived: ArchivedTripView;
  fact: FactView | null;
  watch: WatchView;
}

export interface WaveOutcome {
  trips: number;
  completed: number;
  aborted: number;
  /** Trips that never ended. */
  lost: number;
  /** Trips that ended more than once or logged a version twice. */
  duplicated: number;
  /** Trips whose subscriber missed a version or never saw the end. */
  subscriberGaps: number;
  /** Trips whose subscriber got a version twice or out of order. */
  subscriberDuplicates: number;
  archiveMismatches: number;
  factMismatches: number;
  /** One line per broken rule, naming the trip. */
  problems: string[];
}

const TERMINAL = new Set(['TRIP_COMPLETED', 'TRIP_ABORTED']);
const isEnded = (t: LedgerTrip) => t.status === 'COMPLETED' || t.status === 'ABORTED';
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const same = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** The rules of one trip; each returned string is one broken rule. */
function tripProblems(trip: LedgerTrip, evidence: TripEvidence) {
  const ended = isEnded(trip);
  const versions = trip.events.map((e) => e.version);
  const endings = trip.events.filter((e) => TERMINAL.has(e.type)).length;
  const duplicated = endings > 1 || new Set(versions).size !== versions.length;
  const history: string[] = [];
  if (!ended) history.push(`is still ${trip.status} at v${trip.version}`);
  if (duplicated) history.push(`ended ${endings} times, versions ${versions.join(',')}`);
  else if (!same(versions, upTo(trip.version))) history.push(`has versions ${versions.join(',')}`);
  if (ended && trip.status !== 'COMPLETED') history.push(`was aborted: ${trip.error}`);
  if (trip.status === 'COMPLETED' && !COMPLETED_HISTORY.test(trip.events.map((e) => e.type).join(' ')))
    history.push(`completed with history ${trip.events.map((e) => e.type).join(' ')}`);

  const archive: string[] = [];
  const expectedIds = upTo(trip.version).map((v) => `${trip.code}:${v}`);
  if (!same(evidence.archived.eventIds, expectedIds))
    archive.push(`archived events ${evidence.archived.eventIds.length} of ${trip.version}`);
  const final = evidence.archived.final;
  if (ended && (final?.status !== trip.status || final.version !== trip.version))
    archive.push(`archived final ${JSON.stringify(final)}`);

  const fact = evidence.fact;
  const expectedFact: FactView = {
    status: trip.status,
    version: trip.version,
    driverCode: trip.driver?.code ?? null,
    durationSeconds: trip.durationSeconds,
    monitorIterations: trip.monitorIterations,
    error: trip.error,
  };
  const factOk =
    !ended ||
    (fact !== null &&
      (Object.keys(expectedFact) as Array<keyof FactView>).every((k) => fact[k] === expectedFact[k]));

  const seen = evidence.watch.versions;
  const ascending = seen.every((v, i) => i === 0 || v > seen[i - 1]!);
  const subscriberDuplicate = !ascending;
  const subscriberGap =
    !evidence.watch.completed ||
    !same(
      [...new Set(seen)].sort((a, b) => a - b),
      upTo(trip.version),
    );
  const subscriber: string[] = [];
  const troubles = evidence.watch.troubles.length > 0 ? `; ${evidence.watch.troubles.join('; ')}` : '';
  if (subscriberGap)
    subscriber.push(
      `subscriber saw ${seen.join(',')}${evidence.watch.completed ? '' : ' (not completed)'}${troubles}`,
    );
  else if (subscriberDuplicate) subscriber.push(`subscriber saw ${seen.join(',')}${troubles}`);

  const lines = [
    ...history,
    ...archive,
    ...(factOk ? [] : [`fact ${JSON.stringify(fact)} against ${JSON.stringify(expectedFact)}`]),
    ...subscriber,
  ].map((line) => `${trip.code} ${line}`);
  return {
    ended,
    duplicated,
    archiveOk: archive.length === 0,
    factOk,
    subscriberGap,
    subscriberDuplicate,
    lines,
  };
}

/** Checks every trip of a wave against its evidence. */
export function checkWave(trips: LedgerTrip[], evidenceOf: (code: string) => TripEvidence): WaveOutcome {
  const outcome: WaveOutcome = {
    trips: trips.length,
    completed: trips.filter((t) => t.status === 'COMPLETED').length,
    aborted: trips.filter((t) => t.status === 'ABORTED').length,
    lost: 0,
    duplicated: 0,
    subscriberGaps: 0,
    subscriberDuplicates: 0,
    archiveMismatches: 0,
    factMismatches: 0,
    problems: [],
  };
  for (const trip of trips) {
    const p = tripProblems(trip, evidenceOf(trip.code));
    if (!p.ended) outcome.lost++;
    if (p.duplicated) outcome.duplicated++;
    if (!p.archiveOk) outcome.archiveMismatches++;
    if (!p.factOk) outcome.factMismatches++;
    if (p.subscriberGap) outcome.subscriberGaps++;
    if (p.subscriberDuplicate) outcome.subscriberDuplicates++;
    outcome.problems.push(...p.lines);
  }
  return outcome;
}

/**
 * Drivers on two trips at once: for each driver, the spans from DRIVER_ASSIGNED to the trip's end (or
 * to now, for a trip still open) must not overlap, and a trip is assigned at most once.
 */
export function driverOverlaps(trips: LedgerTrip[], now = new Date()): string[] {
  const spans = new Map<string, Array<{ code: string; from: number; to: number }>>();
  const problems: string[] = [];
  for (const trip of trips) {
    const assigned = trip.events.filter((e) => e.type === 'DRIVER_ASSIGNED');
    if (assigned.length > 1) problems.push(`${trip.code} was assigned ${assigned.length} times`);
    if (!trip.driver || assigned.length === 0) continue;
    const end = trip.events.find((e) => TERMINAL.has(e.type));
    const span = {
      code: trip.code,
      from: Date.parse(assigned[0]!.occurredAt),
      to: end ? Date.parse(end.occurredAt) : now.getTime(),
    };
    spans.set(trip.driver.code, [...(spans.get(trip.driver.code) ?? []), span]);
  }
  for (const [driver, list] of spans) {
    list.sort((a, b) => a.from - b.from);
    for (let i = 1; i < list.length; i++) {
      const before = list[i - 1]!;
      const after = list[i]!;
      if (after.from < before.to)
        problems.push(`driver ${driver} on ${before.code} and ${after.code} at once`);
    }
  }
  return problems;
}
