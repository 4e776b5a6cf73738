import { KM_PER_MILE, type LatLon } from '@rideshare/common';
import { readLifecycleConfig } from '../src/lifecycle/config';
import {
  acceptTimeoutChange,
  availabilityDriver,
  deadlineDecision,
  driverAvailable,
  monitorChange,
  monitorCheckDriver,
  offerChange,
  offerSearch,
  sweepDue,
} from '../src/lifecycle/decisions';
import type { TripRecord } from '../src/models';
import { requestedTrip } from './trip-records';

const config = readLifecycleConfig({});
const now = new Date('2026-01-01T12:00:00.000Z');
const ms = (delta: number) => new Date(now.getTime() + delta);

const trip = (fields: Partial<TripRecord> = {}): TripRecord => ({ ...requestedTrip('T-1'), ...fields });
const offered = (fields: Partial<TripRecord> = {}) =>
  trip({ status: 'DRIVERS_NOTIFIED', availableDriverCodes: ['D-1'], acceptDeadline: ms(-1), ...fields });
/** The point `degrees` of latitude north of `point` (0.0001° is about 11 m). */
const northOf = (point: LatLon, degrees: number): LatLon => ({
  latitude: point.latitude + degrees,
  longitude: point.longitude,
});
/** A monitored trip whose next check is due now. */
const monitored = (status: TripRecord['status'], fields: Partial<TripRecord> = {}) =>
  trip({ status, driverCode: 'D-1', nextMonitorAt: now, ...fields });

describe('deadlineDecision', () => {
  it('should time out the accept window of an offered trip and monitor every other scheduled trip', () => {
    expect(deadlineDecision('DRIVERS_NOTIFIED')).toBe('ACCEPT_TIMEOUT');
    for (const status of ['DRIVER_ASSIGNED', 'STARTED', 'RUNNING'] as const)
      expect(deadlineDecision(status)).toBe('MONITOR');
  });
});

describe('sweepDue', () => {
  it('should sweep on the first pass and then once per interval', () => {
    expect(sweepDue(0, now.getTime(), 60_000)).toBe(true);
    expect(sweepDue(now.getTime() - 59_999, now.getTime(), 60_000)).toBe(false);
    expect(sweepDue(now.getTime() - 60_000, now.getTime(), 60_000)).toBe(true);
  });
});

describe('acceptTimeoutChange', () => {
  it('should abort an offered trip once its accept window has passed, naming the window', () => {
    expect(acceptTimeoutChange(offered({ acceptDeadline: now }), now, config)).toEqual({
      event: 'TRIP_ABORTED',
      reason: 'No driver accepted the trip within 120 s',
    });
  });

  it('should round the window to whole seconds', () => {
    const change = acceptTimeoutChange(offered(), now, { ...config, acceptWindowMs: 2_600 });
    expect(change).toMatchObject({ reason: 'No driver accepted the trip within 3 s' });
  });

  it('should do nothing before the deadline', () => {
    expect(acceptTimeoutChange(offered({ acceptDeadline: ms(1) }), now, config)).toBeNull();
  });

  it('should do nothing once the trip is no longer waiting for an accept', () => {
    for (const status of [
      'REQUESTED',
      'DRIVER_ASSIGNED',
      'STARTED',
      'RUNNING',
      'COMPLETED',
      'ABORTED',
    ] as const)
      expect(acceptTimeoutChange(offered({ status }), now, config)).toBeNull();
    expect(acceptTimeoutChange(offered({ acceptDeadline: null }), now, config)).toBeNull();
  });
});

describe('offerSearch', () => {
  it('should search around the pickup point within the radius, for at most the notified drivers', () => {
    const requested = trip();
    expect(offerSearch(requested, config)).toEqual({
      location: requested.source,
      radiusKm: 15 * KM_PER_MILE,
      limit: 10,
    });
  });

  it('should not search for a trip that is past REQUESTED', () => {
    expect(offerSearch(offered(), config)).toBeNull();
    expect(offerSearch(trip({ status: 'ABORTED' }), config)).toBeNull();
  });
});

describe('offerChange', () => {
  it('should notify the drivers found, with the accept deadline one window from now', () => {
    expect(offerChange(trip(), now, config, ['D-1', 'D-2'])).toEqual({
      event: 'DRIVERS_NOTIFIED',
      driverCodes: ['D-1', 'D-2'],
      acceptDeadline: ms(120_000),
    });
  });

  it('should abort when no driver is near the pickup point, naming the radius', () => {
    expect(offerChange(trip(), now, { ...config, searchRadiusMiles: 2.5 }, [])).toEqual({
      event: 'TRIP_ABORTED',
      reason: 'No drivers available within 2.5 miles of the pickup point',
    });
  });

  it('should do nothing for a trip already offered (a replayed TRIP_REQUESTED)', () => {
    expect(offerChange(offered(), now, config, ['D-1'])).toBeNull();
    expect(offerChange(offered(), now, config, [])).toBeNull();
  });
});

describe('monitorCheckDriver', () => {
  it('should name the driver once the check is due', () => {
    expect(monitorCheckDriver(monitored('RUNNING'), now)).toBe('D-1');
    expect(monitorCheckDriver(monitored('RUNNING', { nextMonitorAt: ms(-5) }), now)).toBe('D-1');
  });

  it('should need no lookup before the check is due, or without a check or a driver', () => {
    expect(monitorCheckDriver(monitored('RUNNING', { nextMonitorAt: ms(1) }), now)).toBeNull();
    expect(monitorCheckDriver(monitored('RUNNING', { nextMonitorAt: null }), now)).toBeNull();
    expect(monitorCheckDriver(monitored('RUNNING', { driverCode: null }), now)).toBeNull();
  });
});

describe('monitorChange', () => {
  const away = { latitude: 47.64, longitude: -122.14 }; // the pickup point, kilometres from the destination
  const driver = { location: away };

  it('should start an assigned trip on its first check, with the driver where they are', () => {
    expect(monitorChange(monitored('DRIVER_ASSIGNED'), now, config, driver)).toEqual({
      event: 'TRIP_STARTED',
      driverLocation: away,
      nextMonitorAt: ms(10_000),
    });
  });

  it('should report a started or running trip with the driver still away from the destination', () => {
    for (const status of ['STARTED', 'RUNNING'] as const)
      expect(monitorChange(monitored(status, { monitorIterations: 3 }), now, config, driver)).toEqual({
        event: 'TRIP_RUNNING',
        driverLocation: away,
        nextMonitorAt: ms(10_000),
      });
  });

  it('should complete the trip once the driver is within the arrival distance of the destination', () => {
    const running = monitored('RUNNING');
    const near = northOf(running.destination, 0.0004);
    expect(monitorChange(running, now, config, { location: near })).toEqual({
      event: 'TRIP_COMPLETED',
      driverLocation: near,
    });
    expect(monitorChange(running, now, config, { location: running.destination })).toMatchObject({
      event: 'TRIP_COMPLETED',
    });
  });

  it('should keep running just outside the arrival distance', () => {
    const running = monitored('RUNNING');
    const outside = northOf(running.destination, 0.0006);
    expect(monitorChange(running, now, config, { location: outside })).toMatchObject({
      event: 'TRIP_RUNNING',
    });
  });

  it('should abort after the maximum number of checks, naming the checks and their time', () => {
    const change = monitorChange(monitored('RUNNING', { monitorIterations: 20 }), now, config, driver);
    expect(change).toEqual({
      event: 'TRIP_ABORTED',
      reason: 'Trip did not complete within 20 checks (200 s)',
    });
    const oneShort = monitorChange(monitored('RUNNING', { monitorIterations: 19 }), now, config, driver);
    expect(oneShort).toMatchObject({ event: 'TRIP_RUNNING' });
  });

  it('should complete rather than abort when the driver arrives on the last check', () => {
    const running = monitored('RUNNING', { monitorIterations: 25 });
    expect(monitorChange(running, now, config, { location: running.destination })).toMatchObject({
      event: 'TRIP_COMPLETED',
    });
  });

  it('should keep running while the driver has no known position, until the checks run out', () => {
    expect(monitorChange(monitored('RUNNING'), now, config, { location: null })).toEqual({
      event: 'TRIP_RUNNING',
      driverLocation: null,
      nextMonitorAt: ms(10_000),
    });
    expect(
      monitorChange(monitored('RUNNING', { monitorIterations: 20 }), now, config, { location: null }),
    ).toMatchObject({ event: 'TRIP_ABORTED' });
  });

  it('should abort a trip whose driver no longer exists', () => {
    for (const status of ['DRIVER_ASSIGNED', 'RUNNING'] as const)
      expect(monitorChange(monitored(status), now, config, null)).toEqual({
        event: 'TRIP_ABORTED',
        reason: 'Driver D-1 no longer exists',
      });
  });

  it('should do nothing before the check is due', () => {
    expect(monitorChange(monitored('RUNNING', { nextMonitorAt: ms(1) }), now, config, driver)).toBeNull();
    expect(monitorChange(monitored('RUNNING', { nextMonitorAt: ms(1) }), now, config, null)).toBeNull();
  });

  it('should do nothing for a trip that is not monitored', () => {
    for (const status of ['REQUESTED', 'DRIVERS_NOTIFIED', 'COMPLETED', 'ABORTED'] as const)
      expect(monitorChange(monitored(status), now, config, driver)).toBeNull();
  });
});

describe('availabilityDriver', () => {
  it('should name the driver for an assignment and for a trip that ended', () => {
    for (const event of ['DRIVER_ASSIGNED', 'TRIP_COMPLETED', 'TRIP_ABORTED'] as const)
      expect(availabilityDriver(event, { driverCode: 'D-1' })).toBe('D-1');
  });

  it('should change nobody for other events or a trip without a driver', () => {
    for (const event of ['TRIP_REQUESTED', 'DRIVERS_NOTIFIED', 'TRIP_STARTED', 'TRIP_RUNNING'] as const)
      expect(availabilityDriver(event, { driverCode: 'D-1' })).toBeNull();
    expect(availabilityDriver('TRIP_ABORTED', { driverCode: null })).toBeNull();
  });
});

describe('driverAvailable', () => {
  it('should make a driver without a lock available', () => {
    expect(driverAvailable(null, { code: 'T-1', status: 'DRIVER_ASSIGNED' })).toBe(true);
    expect(driverAvailable(null, { code: 'T-1', status: 'COMPLETED' })).toBe(true);
  });

  it('should keep a driver with a lock busy while that trip is active', () => {
    expect(driverAvailable({ tripCode: 'T-1' }, { code: 'T-1', status: 'DRIVER_ASSIGNED' })).toBe(false);
  });

  it("should not count a finished trip's own lock (released only after the final event is logged)", () => {
    for (const status of ['COMPLETED', 'ABORTED'] as const)
      expect(driverAvailable({ tripCode: 'T-1' }, { code: 'T-1', status })).toBe(true);
  });

  it("should keep the driver busy when the lock is another trip's, whatever this event says", () => {
    expect(driverAvailable({ tripCode: 'T-2' }, { code: 'T-1', status: 'COMPLETED' })).toBe(false);
    expect(driverAvailable({ tripCode: 'T-2' }, { code: 'T-1', status: 'ABORTED' })).toBe(false);
  });
});
