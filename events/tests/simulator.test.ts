import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ConfigError,
  createLogger,
  GraphQLClientError,
  operationName,
  type GraphQLErrorEntry,
} from '@rideshare/common';
import { createTripEvent, type TripSnapshot } from '../src/contracts';
import { routePoint, simulate, type GatewayCall } from '../src/workers/simulator';
import { readSimulatorToken } from '../src/workers/simulator-credential';

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

/** The driver an operation acts for: accepts name `driverCode`, moves name the driver as `code`. */
const driverOf = (variables: unknown): string => {
  const named = (key: string): unknown =>
    typeof variables === 'object' && variables !== null ? Reflect.get(variables, key) : undefined;
  const driver = named('driverCode') ?? named('code');
  if (typeof driver !== 'string') throw new Error(`no driver in ${JSON.stringify(variables)}`);
  return driver;
};

/**
 * The gateway calls the simulator makes, as (driver acted for, operation, variables); `answer`
 * decides each reply (undefined: success).
 */
function recorder(answer: (driver: string) => GraphQLClientError | undefined = () => undefined) {
  const calls: Array<{ driver: string; operation: string; variables: unknown }> = [];
  const call: GatewayCall = (document, variables) => {
    const driver = driverOf(variables);
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

  it('should leave NORMAL trips alone: they are not its to drive', async () => {
    const { calls, call } = recorder();
    const normal = { ...trip(1), type: 'NORMAL' as const };
    await simulate(call, createTripEvent('DRIVERS_NOTIFIED', normal, 'test', new Date()), 3, log);
    await simulate(call, createTripEvent('TRIP_RUNNING', normal, 'test', new Date()), 3, log);
    expect(calls).toEqual([]);
  });

  it('should stop when its credential is refused, without trying the other drivers', async () => {
    const refused = refusal(
      'permanent',
      'FORBIDDEN',
      'simulator SIMULATOR may not accept trip SIM1: it is NORMAL, not DEMO',
    );
    const { calls, call } = recorder(() => refused);
    await simulate(call, offer(['D1', 'D2']), 3, log);
    expect(calls).toHaveLength(1);
  });

  it('should let a move go when it is refused because the trip has ended (a late or redelivered event)', async () => {
    const over = refusal(
      'permanent',
      'FORBIDDEN',
      'simulator SIMULATOR may not move driver D1: not on a DEMO trip',
    );
    const { calls, call } = recorder(() => over);
    await simulate(call, createTripEvent('TRIP_RUNNING', trip(1), 'test', new Date()), 3, log);
    expect(calls).toHaveLength(1);
  });

  it('should still fail a move on any other permanent refusal (the consumer dead-letters it)', async () => {
    const gone = refusal('permanent', 'NOT_FOUND', 'Driver "D1" not found');
    const { call } = recorder(() => gone);
    await expect(
      simulate(call, createTripEvent('TRIP_RUNNING', trip(1), 'test', new Date()), 3, log),
    ).rejects.toBe(gone);
  });

  it('should throw a transient failure so that the consumer retries the event', async () => {
    const down = refusal('transient', 'SUBGRAPH_UNAVAILABLE', 'Subgraph "trips" is unavailable');
    const { call } = recorder(() => down);
    await expect(simulate(call, offer(['D1', 'D2']), 3, log)).rejects.toBe(down);
  });
});

describe('readSimulatorToken', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simulator-token-'));
  const file = path.join(dir, 'token');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('should take SIMULATOR_TOKEN, or the token in the file SIMULATOR_TOKEN_FILE names', () => {
    expect(readSimulatorToken({ SIMULATOR_TOKEN: 'a.b.c' })()).toBe('a.b.c');
    fs.writeFileSync(file, 'd.e.f\n');
    expect(readSimulatorToken({ SIMULATOR_TOKEN_FILE: file })()).toBe('d.e.f');
  });

  it('should read the file again when it changes (a rotated token), and keep the last one while it is away', () => {
    fs.writeFileSync(file, 'old.token.x');
    const token = readSimulatorToken({ SIMULATOR_TOKEN_FILE: file });
    expect(token()).toBe('old.token.x');
    fs.writeFileSync(file, 'new.token.y');
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect(token()).toBe('new.token.y');
    fs.rmSync(file);
    expect(token()).toBe('new.token.y');
  });

  it.each([
    ['neither is set', {}, /SIMULATOR_TOKEN or SIMULATOR_TOKEN_FILE must be set/],
    ['both are set', { SIMULATOR_TOKEN: 'a.b.c', SIMULATOR_TOKEN_FILE: 'x' }, /both set/],
    ['the file is missing', { SIMULATOR_TOKEN_FILE: path.join(dir, 'none') }, /cannot be read/],
    ['the value is a header', { SIMULATOR_TOKEN: 'Bearer a.b.c' }, /bare token/],
  ])('should stop the simulator with one clear line when %s', (_what, env, message) => {
    expect(() => readSimulatorToken(env)).toThrow(ConfigError);
    expect(() => readSimulatorToken(env)).toThrow(message);
  });

  it('should refuse an empty token file', () => {
    fs.writeFileSync(file, '\n');
    expect(() => readSimulatorToken({ SIMULATOR_TOKEN_FILE: file })).toThrow(/empty token/);
  });
});
