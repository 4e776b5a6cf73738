import { createLogger, GraphQLClientError, operationName, type GraphQLErrorEntry } from '@rideshare/common';
import { createTripEvent, type TripSnapshot } from '../src/contracts';
import { routePoint, simulate, type DriverCall } from '../src/workers/simulator';

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

const offer = (availableDriverCodes: string[]) =>
  createTripEvent(
    'DRIVERS_NOTIFIED',
    { ...trip(0), status: 'DRIVERS_NOTIFIED', driverCode: null, availableDriverCodes },
    'test',
    new Date(),
  );

const refusal = (kind: 'permanent' | 'transient', code: string, message: string) => {
  const errors: GraphQLErrorEntry[] = [{ message, extensions: { code } }];
  return new GraphQLClientError({
    service: 'gateway',
    operation: 'AcceptTrip',
    kind,
    code,
    detail: message,
    errors,
  });
};

/**
 * The gateway calls the simulator makes, as (driver, operation, variables); `answer` decides each
 * reply (undefined: success).
 */
function recorder(answer: (driver: string) => GraphQLClientError | undefined = () => undefined) {
  const calls: Array<{ driver: string; operation: string; variables: unknown }> = [];
  const call: DriverCall = (driver, document, variables) => {
    calls.push({ driver, operation: operationName(document), variables });
    const refused = answer(driver);
    return refused ? Promise.reject(refused) : Promise.resolve({});
  };
  return { calls, call };
}

describe('simulator', () => {
  it('should move the driver one step along the route after each monitor pass', async () => {
    const { calls, call } = recorder();
    await simulate(call, createTripEvent('TRIP_RUNNING', trip(2), 'test', new Date()), 3, log);
    expect(calls).toEqual([
      {
        driver: 'D1',
        operation: 'MoveDriver',
        variables: { code: 'D1', location: routePoint(trip(2), 2, 3) },
      },
    ]);
  });

  it('should reach the destination on the last step and move no more after it', async () => {
    const { calls, call } = recorder();
    await simulate(call, createTripEvent('TRIP_RUNNING', trip(3), 'test', new Date()), 3, log);
    await simulate(call, createTripEvent('TRIP_RUNNING', trip(4), 'test', new Date()), 3, log);
    expect(calls.map((c) => c.variables)).toEqual([{ code: 'D1', location: trip(3).destination }]);
  });

  it('should offer the trip to the next driver when one is already on a trip', async () => {
    const busy = refusal('permanent', 'CONFLICT', 'Driver "D1" is already on trip "X"');
    let answered = 0;
    const { calls, call } = recorder(() => (answered++ === 0 ? busy : undefined));
    await simulate(call, offer(['D1', 'D2', 'D3']), 3, log);
    expect(calls).toHaveLength(2);
    expect(new Set(calls.map((c) => c.driver)).size).toBe(2);
  });

  it('should stop at any other permanent refusal', async () => {
    const taken = refusal('permanent', 'CONFLICT', 'Trip "SIM1" is no longer open');
    const { calls, call } = recorder(() => taken);
    await simulate(call, offer(['D1', 'D2']), 3, log);
    expect(calls).toHaveLength(1);
  });

  it('should throw a transient failure so that the consumer retries the event', async () => {
    const down = refusal('transient', 'SUBGRAPH_UNAVAILABLE', 'Subgraph "trips" is unavailable');
    const { call } = recorder(() => down);
    await expect(simulate(call, offer(['D1', 'D2']), 3, log)).rejects.toBe(down);
  });
});
