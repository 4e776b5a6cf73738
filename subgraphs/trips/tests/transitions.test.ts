import { TRIP_STATUSES } from '@rideshare/events';
import type { TripStatus } from '../src/generated/resolvers-types';
import { applyChange, toSnapshot, type Transition, type TripChange } from '../src/lifecycle/transitions';
import type { TripRecord } from '../src/models';
import { requestedTrip } from './trip-records';

const t0 = new Date('2026-01-01T12:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const here = { latitude: 47.65, longitude: -122.135 };

const trip = (fields: Partial<TripRecord> = {}): TripRecord => ({
  ...requestedTrip('T-1'),
  requestedAt: t0,
  ...fields,
});

/** One change of every kind, each valid from the statuses listed. */
const changes: Array<{ change: TripChange; from: TripStatus[]; to: TripStatus }> = [
  {
    change: { event: 'DRIVERS_NOTIFIED', driverCodes: ['D-1'], acceptDeadline: at(120) },
    from: ['REQUESTED'],
    to: 'DRIVERS_NOTIFIED',
  },
  {
    change: { event: 'DRIVER_ASSIGNED', driverCode: 'D-1', nextMonitorAt: at(10) },
    from: ['DRIVERS_NOTIFIED'],
    to: 'DRIVER_ASSIGNED',
  },
  {
    change: { event: 'TRIP_STARTED', driverLocation: here, nextMonitorAt: at(20) },
    from: ['DRIVER_ASSIGNED'],
    to: 'STARTED',
  },
  {
    change: { event: 'TRIP_RUNNING', driverLocation: here, nextMonitorAt: at(30) },
    from: ['STARTED', 'RUNNING'],
    to: 'RUNNING',
  },
  {
    change: { event: 'TRIP_COMPLETED', driverLocation: here },
    from: ['STARTED', 'RUNNING'],
    to: 'COMPLETED',
  },
  {
    change: { event: 'TRIP_ABORTED', reason: 'cancelled' },
    from: ['REQUESTED', 'DRIVERS_NOTIFIED', 'DRIVER_ASSIGNED', 'STARTED', 'RUNNING'],
    to: 'ABORTED',
  },
];
// Every status, in lifecycle order (the contracts' list, which events/tests/contracts.test.ts checks).
const statuses: TripStatus[] = [...TRIP_STATUSES];

/** The change applied, failing the test when it is refused. */
function applied(before: TripRecord, change: TripChange, now: Date): Extract<Transition, { ok: true }> {
  const result = applyChange(before, change, now);
  if (!result.ok) throw new Error(result.reason);
  return result;
}

describe('applyChange', () => {
  it('should allow each change exactly from the statuses of the lifecycle', () => {
    for (const { change, from } of changes) {
      const allowed = statuses.filter((status) => applyChange(trip({ status }), change, at(1)).ok);
      expect({ event: change.event, allowed }).toEqual({ event: change.event, allowed: from });
    }
  });

  it('should move the trip to the status after the change, one version up', () => {
    for (const { change, from, to } of changes)
      for (const status of from)
        expect(applied(trip({ status, version: 4 }), change, at(1)).next).toMatchObject({
          status: to,
          version: 5,
        });
  });

  it('should say why a change is refused', () => {
    expect(
      applyChange(trip({ status: 'COMPLETED' }), { event: 'TRIP_ABORTED', reason: 'late' }, at(1)),
    ).toEqual({
      ok: false,
      reason: 'trip T-1 is COMPLETED; TRIP_ABORTED is not possible',
    });
  });

  it('should leave the trip it was given as it was, and return it with the fields set over it', () => {
    const before = trip();
    const copy = structuredClone(before);
    const { set, next } = applied(
      before,
      { event: 'DRIVERS_NOTIFIED', driverCodes: ['D-1'], acceptDeadline: at(120) },
      at(1),
    );
    expect(before).toEqual(copy);
    expect(next).toEqual({ ...copy, ...set });
  });

  it('should record the offer: the drivers notified and the accept deadline', () => {
    const result = applied(
      trip(),
      { event: 'DRIVERS_NOTIFIED', driverCodes: ['D-1', 'D-2'], acceptDeadline: at(120) },
      at(1),
    );
    expect(result.set).toEqual({
      status: 'DRIVERS_NOTIFIED',
      version: 2,
      availableDriverCodes: ['D-1', 'D-2'],
      acceptDeadline: at(120),
    });
  });

  it('should record the assignment: the driver, when they accepted, no accept deadline, the first check', () => {
    const offered = trip({ status: 'DRIVERS_NOTIFIED', version: 2, acceptDeadline: at(120) });
    const result = applied(
      offered,
      { event: 'DRIVER_ASSIGNED', driverCode: 'D-1', nextMonitorAt: at(15) },
      at(5),
    );
    expect(result.set).toEqual({
      status: 'DRIVER_ASSIGNED',
      version: 3,
      driverCode: 'D-1',
      acceptedAt: at(5),
      acceptDeadline: null,
      nextMonitorAt: at(15),
    });
  });

  it('should count every monitor check: start, run and complete', () => {
    const assigned = trip({ status: 'DRIVER_ASSIGNED', version: 3, driverCode: 'D-1', acceptedAt: at(5) });
    const started = applied(
      assigned,
      { event: 'TRIP_STARTED', driverLocation: here, nextMonitorAt: at(25) },
      at(15),
    );
    expect(started.set).toEqual({
      status: 'STARTED',
      version: 4,
      startedAt: at(15),
      monitorIterations: 1,
      driverLocation: here,
      nextMonitorAt: at(25),
    });
    const running = applied(
      started.next,
      { event: 'TRIP_RUNNING', driverLocation: null, nextMonitorAt: at(35) },
      at(25),
    );
    expect(running.set).toEqual({
      status: 'RUNNING',
      version: 5,
      monitorIterations: 2,
      driverLocation: null,
      nextMonitorAt: at(35),
    });
    const completed = applied(running.next, { event: 'TRIP_COMPLETED', driverLocation: here }, at(75));
    expect(completed.set).toEqual({
      status: 'COMPLETED',
      version: 6,
      endedAt: at(75),
      monitorIterations: 3,
      driverLocation: here,
      nextMonitorAt: null,
      durationSeconds: 60,
    });
  });

  it('should time a completed trip from its acceptance when it never recorded a start', () => {
    const running = trip({ status: 'RUNNING', acceptedAt: at(10), startedAt: null });
    const result = applied(running, { event: 'TRIP_COMPLETED', driverLocation: here }, at(52.4));
    expect(result.set.durationSeconds).toBe(42);
  });

  it('should record an abort: the reason, the end, no pending deadlines, the time since the start', () => {
    const running = trip({
      status: 'RUNNING',
      startedAt: at(10),
      nextMonitorAt: at(40),
      monitorIterations: 3,
    });
    const result = applied(running, { event: 'TRIP_ABORTED', reason: 'cancelled by the passenger' }, at(40));
    expect(result.set).toEqual({
      status: 'ABORTED',
      version: 2,
      endedAt: at(40),
      error: 'cancelled by the passenger',
      acceptDeadline: null,
      nextMonitorAt: null,
      durationSeconds: 30,
    });
  });

  it('should give an abort before the start no duration', () => {
    const offered = trip({ status: 'DRIVERS_NOTIFIED', acceptDeadline: at(120) });
    const result = applied(offered, { event: 'TRIP_ABORTED', reason: 'timeout' }, at(120));
    expect(result.set).toMatchObject({ durationSeconds: null, acceptDeadline: null });
  });

  it('should never give a negative duration when clocks disagree', () => {
    const running = trip({ status: 'RUNNING', startedAt: at(10) });
    const result = applied(running, { event: 'TRIP_COMPLETED', driverLocation: here }, at(8));
    expect(result.set.durationSeconds).toBe(0);
  });
});

describe('toSnapshot', () => {
  it('should carry the trip with ISO dates and without the internal deadlines or history', () => {
    const running = trip({
      status: 'RUNNING',
      driverCode: 'D-1',
      availableDriverCodes: ['D-1'],
      acceptedAt: at(5),
      startedAt: at(15),
      driverLocation: here,
      monitorIterations: 2,
      version: 5,
      nextMonitorAt: at(35),
    });
    expect(toSnapshot(running)).toEqual({
      code: 'T-1',
      type: 'NORMAL',
      status: 'RUNNING',
      passengerCode: running.passengerCode,
      driverCode: 'D-1',
      availableDriverCodes: ['D-1'],
      source: running.source,
      destination: running.destination,
      driverLocation: here,
      requestedAt: t0.toISOString(),
      acceptedAt: at(5).toISOString(),
      startedAt: at(15).toISOString(),
      endedAt: null,
      durationSeconds: null,
      monitorIterations: 2,
      error: null,
      version: 5,
    });
  });

  it('should copy only latitude and longitude of each point (a Mongoose subdocument carries more)', () => {
    const extra = { ...here, _id: 'x' } as typeof here;
    const snapshot = toSnapshot(trip({ source: extra, destination: extra, driverLocation: extra }));
    expect(snapshot.source).toEqual(here);
    expect(snapshot.destination).toEqual(here);
    expect(snapshot.driverLocation).toEqual(here);
    expect(toSnapshot(trip()).driverLocation).toBeNull();
  });
});
