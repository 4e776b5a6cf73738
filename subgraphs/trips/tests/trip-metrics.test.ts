import { readLifecycleConfig } from '../src/lifecycle/config';
import { acceptTimeoutChange, monitorChange, offerChange } from '../src/lifecycle/decisions';
import type { TripChange } from '../src/lifecycle/transitions';
import type { TripRecord } from '../src/models';
import { abortReason } from '../src/trip-metrics';
import { requestedTrip } from './trip-records';

const config = readLifecycleConfig({});
const now = new Date('2026-01-01T12:00:00.000Z');
const trip = (fields: Partial<TripRecord>): TripRecord => ({ ...requestedTrip('T-1'), ...fields });

/** The reason of a change the lifecycle made, which must be an abort. */
const reasonOf = (change: TripChange | null): string => {
  if (change?.event !== 'TRIP_ABORTED') throw new Error(`expected an abort, got ${change?.event}`);
  return change.reason;
};

describe('abortReason', () => {
  it('should map every reason the lifecycle writes to its code', () => {
    expect(abortReason(reasonOf(offerChange(trip({}), now, config, [])))).toBe('no_drivers');
    const offered = trip({ status: 'DRIVERS_NOTIFIED', acceptDeadline: new Date(now.getTime() - 1) });
    expect(abortReason(reasonOf(acceptTimeoutChange(offered, now, config)))).toBe('not_accepted');
    const monitored = (fields: Partial<TripRecord>) =>
      trip({ status: 'RUNNING', driverCode: 'D-1', nextMonitorAt: now, ...fields });
    expect(abortReason(reasonOf(monitorChange(monitored({}), now, config, null)))).toBe('driver_gone');
    const far = { location: { latitude: 0, longitude: 0 } };
    const exhausted = monitored({ monitorIterations: config.monitorMaxChecks });
    expect(abortReason(reasonOf(monitorChange(exhausted, now, config, far)))).toBe('too_many_checks');
  });

  it('should keep free text out of the label: a cancel is `cancelled`, anything unknown `other`', () => {
    expect(abortReason('Cancelled: passenger changed their mind')).toBe('cancelled');
    expect(abortReason('Cancelled: no reason given')).toBe('cancelled');
    expect(abortReason('something new')).toBe('other');
    expect(abortReason(null)).toBe('other');
  });
});
