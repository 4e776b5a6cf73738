import { checkWave, driverOverlaps, type LedgerTrip, type TripEvidence } from '../src/faults/wave-checks';

// The fault suite's rules on hand-made evidence: each one must catch what it claims to.

const HISTORY = ['TRIP_REQUESTED', 'DRIVERS_NOTIFIED', 'DRIVER_ASSIGNED', 'TRIP_STARTED', 'TRIP_COMPLETED'];
const at = (second: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, second)).toISOString();

function trip(code: string, driver = 'D1', startSecond = 0, types = HISTORY): LedgerTrip {
  return {
    code,
    status:
      types.at(-1) === 'TRIP_ABORTED'
        ? 'ABORTED'
        : types.at(-1) === 'TRIP_COMPLETED'
          ? 'COMPLETED'
          : 'RUNNING',
    version: types.length,
    error: null,
    driver: { code: driver },
    durationSeconds: 3,
    monitorIterations: 2,
    events: types.map((type, i) => ({ type, version: i + 1, occurredAt: at(startSecond + i) })),
  };
}

/** Everything as it should be for `t`. */
function evidence(t: LedgerTrip): TripEvidence {
  const versions = t.events.map((e) => e.version);
  return {
    archived: {
      eventIds: versions.map((v) => `${t.code}:${v}`),
      final: { status: t.status, version: t.version },
    },
    fact: {
      status: t.status,
      version: t.version,
      driverCode: t.driver?.code ?? null,
      durationSeconds: t.durationSeconds,
      monitorIterations: t.monitorIterations,
      error: t.error,
    },
    watch: { versions, completed: true, troubles: [] },
  };
}

const check = (t: LedgerTrip, change: (e: TripEvidence) => void = () => undefined) => {
  const e = evidence(t);
  change(e);
  return checkWave([t], () => e);
};

describe('fault suite wave checks', () => {
  it('should find nothing wrong when trip, archive, fact and subscriber agree', () => {
    expect(check(trip('T1'))).toEqual({
      trips: 1,
      completed: 1,
      aborted: 0,
      lost: 0,
      duplicated: 0,
      subscriberGaps: 0,
      subscriberDuplicates: 0,
      archiveMismatches: 0,
      factMismatches: 0,
      problems: [],
    });
  });

  it('should count a trip that never ended as lost', () => {
    const open = trip('T1', 'D1', 0, HISTORY.slice(0, 4));
    const outcome = check(open, (e) => (e.watch.completed = false));
    expect(outcome).toMatchObject({ lost: 1, completed: 0, subscriberGaps: 1 });
    expect(outcome.problems[0]).toBe('T1 is still RUNNING at v4');
  });

  it('should count a trip that ended twice, or logged a version twice, as duplicated', () => {
    const twice = trip('T1', 'D1', 0, [...HISTORY, 'TRIP_ABORTED']);
    expect(check(twice).duplicated).toBe(1);
    const repeated = trip('T2');
    repeated.events.splice(2, 0, { ...repeated.events[2]! });
    expect(check(repeated).duplicated).toBe(1);
  });

  it('should tell a subscriber gap from a subscriber duplicate', () => {
    const t = trip('T1');
    expect(check(t, (e) => (e.watch.versions = [1, 2, 4, 5]))).toMatchObject({
      subscriberGaps: 1,
      subscriberDuplicates: 0,
    });
    expect(check(t, (e) => (e.watch.versions = [1, 2, 3, 3, 4, 5]))).toMatchObject({
      subscriberGaps: 0,
      subscriberDuplicates: 1,
    });
    expect(check(t, (e) => (e.watch.completed = false)).subscriberGaps).toBe(1);
  });

  it('should find an archive missing an event or its final trip, and a fact that differs', () => {
    const t = trip('T1');
    expect(check(t, (e) => e.archived.eventIds.pop()).archiveMismatches).toBe(1);
    expect(check(t, (e) => (e.archived.final = null)).archiveMismatches).toBe(1);
    expect(check(t, (e) => (e.fact = null)).factMismatches).toBe(1);
    expect(check(t, (e) => (e.fact = { ...e.fact!, version: 4 })).factMismatches).toBe(1);
  });

  it('should report an aborted trip, which a fault must not cause', () => {
    const aborted = {
      ...trip('T1', 'D1', 0, [...HISTORY.slice(0, 4), 'TRIP_ABORTED']),
      error: 'too many checks',
    };
    const outcome = check(aborted);
    expect(outcome).toMatchObject({ aborted: 1, completed: 0, lost: 0 });
    expect(outcome.problems).toEqual(['T1 was aborted: too many checks']);
  });

  it('should find a driver on two trips at once, and allow one trip after the other', () => {
    expect(driverOverlaps([trip('T1', 'D1', 0), trip('T2', 'D1', 10)])).toEqual([]);
    // T1 holds D1 from 2 s to 4 s, T2 from 3 s: at once.
    expect(driverOverlaps([trip('T1', 'D1', 0), trip('T2', 'D1', 1)])).toEqual([
      'driver D1 on T1 and T2 at once',
    ]);
    expect(driverOverlaps([trip('T1', 'D1', 0), trip('T2', 'D2', 1)])).toEqual([]);
  });
});
