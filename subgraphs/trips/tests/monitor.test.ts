import { KM_PER_MILE } from '@rideshare/common';
import type { DriversClient, DriverSummary } from '../src/drivers-client';
import { readLifecycleConfig } from '../src/lifecycle/config';
import type { TripRecord } from '../src/models';
import { decideMonitor, decideOffer } from '../src/workers/monitor';
import { requestedTrip } from './trip-records';

// The monitor asks the drivers service only when the decision will use the answer: a replayed event or
// an early timer must not cost a request.

const config = readLifecycleConfig({});
const now = new Date('2026-01-01T12:00:00.000Z');

function fakeDrivers(near: string[], driver: DriverSummary | null) {
  return {
    near: jest.fn<Promise<string[]>, Parameters<DriversClient['near']>>(async () => near),
    get: jest.fn<Promise<DriverSummary | null>, [string]>(async () => driver),
    setAvailability: jest.fn<Promise<void>, [string, boolean]>(async () => undefined),
  } satisfies DriversClient;
}

const driver: DriverSummary = {
  code: 'D-1',
  location: { latitude: 47.64, longitude: -122.14 },
  car: { make: 'Toyota', model: 'Prius', licensePlate: 'ABC-123' },
};
const trip = (fields: Partial<TripRecord> = {}): TripRecord => ({ ...requestedTrip('T-1'), ...fields });

describe('decideOffer', () => {
  it('should search the drivers service around the pickup point and offer the trip to who it found', async () => {
    const drivers = fakeDrivers(['D-1', 'D-2'], null);
    const requested = trip();
    await expect(decideOffer(requested, now, config, drivers)).resolves.toMatchObject({
      event: 'DRIVERS_NOTIFIED',
      driverCodes: ['D-1', 'D-2'],
    });
    expect(drivers.near).toHaveBeenCalledWith(requested.source, 15 * KM_PER_MILE, 10);
  });

  it('should not ask the drivers service about a trip already past REQUESTED', async () => {
    const drivers = fakeDrivers(['D-1'], null);
    await expect(decideOffer(trip({ status: 'DRIVERS_NOTIFIED' }), now, config, drivers)).resolves.toBeNull();
    expect(drivers.near).not.toHaveBeenCalled();
  });
});

describe('decideMonitor', () => {
  const due = (fields: Partial<TripRecord> = {}) =>
    trip({ status: 'RUNNING', driverCode: 'D-1', nextMonitorAt: now, ...fields });

  it("should look the trip's driver up and report where they are", async () => {
    const drivers = fakeDrivers([], driver);
    await expect(decideMonitor(due(), now, config, drivers)).resolves.toMatchObject({
      event: 'TRIP_RUNNING',
      driverLocation: driver.location,
    });
    expect(drivers.get).toHaveBeenCalledWith('D-1');
  });

  it('should abort when the drivers service no longer knows the driver', async () => {
    await expect(decideMonitor(due(), now, config, fakeDrivers([], null))).resolves.toMatchObject({
      event: 'TRIP_ABORTED',
    });
  });

  it('should not ask the drivers service before the check is due', async () => {
    const drivers = fakeDrivers([], driver);
    const early = due({ nextMonitorAt: new Date(now.getTime() + 1) });
    await expect(decideMonitor(early, now, config, drivers)).resolves.toBeNull();
    expect(drivers.get).not.toHaveBeenCalled();
  });

  it('should let a failed lookup fail the decision, so the check is retried rather than taken as "gone"', async () => {
    const drivers = fakeDrivers([], driver);
    drivers.get.mockRejectedValueOnce(new Error('drivers service: HTTP 503'));
    await expect(decideMonitor(due(), now, config, drivers)).rejects.toThrow('HTTP 503');
  });
});
