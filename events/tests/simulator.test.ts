import { createLogger } from '@rideshare/common';
import { createTripEvent, type TripSnapshot } from '../src/contracts';
import { routePoint, simulate } from '../src/workers/simulator';

const log = createLogger('simulator-test', 'error');

const trip = (monitorIterations: number): TripSnapshot => ({
  code: 'SIM1',
  type: 'DEMO',
  status: 'RUNNING',
  passengerCode: 'P1',
  driverCode: 'D1',
  availableDriverCodes: ['D1'],
  source: { latitude: 47.6, longitude: -122.3 },
  destination: { latitude: 47.7, longitude: -122.1 },
  driverLocation: null,
  requestedAt: '2026-12-01T00:00:00.000Z',
  acceptedAt: '2026-12-01T00:00:01.000Z',
  startedAt: '2026-12-01T00:00:02.000Z',
  endedAt: null,
  durationSeconds: null,
  monitorIterations,
  error: null,
  version: 4 + monitorIterations,
});

/** The gateway calls the simulator makes, as (driver, variables). */
function recorder() {
  const calls: Array<Record<string, unknown>> = [];
  return {
    calls,
    call: (_driver: string, _query: string, variables: Record<string, unknown>) => {
      calls.push(variables);
      return Promise.resolve({});
    },
  };
}

describe('simulator', () => {
  it('should move the driver one step along the route after each monitor pass', async () => {
    const { calls, call } = recorder();
    await simulate(call, createTripEvent('TRIP_RUNNING', trip(2), 'test', new Date()), 3, log);
    expect(calls).toEqual([{ code: 'D1', location: routePoint(trip(2), 2, 3) }]);
  });

  it('should reach the destination on the last step and move no more after it', async () => {
    const { calls, call } = recorder();
    await simulate(call, createTripEvent('TRIP_RUNNING', trip(3), 'test', new Date()), 3, log);
    await simulate(call, createTripEvent('TRIP_RUNNING', trip(4), 'test', new Date()), 3, log);
    expect(calls).toEqual([{ code: 'D1', location: trip(3).destination }]);
  });
});
