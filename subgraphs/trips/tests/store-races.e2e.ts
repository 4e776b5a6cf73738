import crypto from 'node:crypto';
import type mongoose from 'mongoose';
import { connectDatabase, readInfraConfig } from '@rideshare/common';
import { createTripEvent } from '@rideshare/events';
import { acceptTrip } from '../src/lifecycle/accept';
import { catchUp, EVENT_SOURCE, insertRequestedTrip } from '../src/lifecycle/store';
import { applyChange, toSnapshot } from '../src/lifecycle/transitions';
import { tripModels, type TripEventLogRecord, type TripModels, type TripRecord } from '../src/models';

const noNudge = () => undefined;

function requestedTrip(code: string): TripRecord {
  const now = new Date();
  return {
    code,
    type: 'NORMAL',
    status: 'REQUESTED',
    passengerCode: 'PX1001',
    driverCode: null,
    availableDriverCodes: [],
    source: { latitude: 47.64, longitude: -122.14 },
    destination: { latitude: 47.67, longitude: -122.13 },
    requestedAt: now,
    acceptedAt: null,
    startedAt: null,
    endedAt: null,
    durationSeconds: null,
    monitorIterations: 0,
    error: null,
    version: 1,
    events: [{ type: 'TRIP_REQUESTED', version: 1, occurredAt: now, status: 'REQUESTED' }],
    driverLocation: null,
    acceptDeadline: null,
    nextMonitorAt: null,
  };
}

/**
 * The trip document is a projection of the trip event log, and the outbox relay (polling the log)
 * also projects what it publishes. These tests put the relay's projection exactly where it can land.
 */
describe('trip writes racing the outbox relay', () => {
  let connection: mongoose.Connection;
  let models: TripModels;

  beforeAll(async () => {
    connection = await connectDatabase(
      readInfraConfig().mongoUrl,
      `t${crypto.randomBytes(4).toString('hex')}_trips`,
    );
    models = tripModels(connection);
    await Promise.all([models.Trips.init(), models.DriverAssignments.init(), models.TripEventLog.init()]);
  });

  afterAll(async () => {
    await connection?.dropDatabase();
    await connection?.close();
  });

  it('should accept an offer that is logged (and so published) but not yet projected onto the trip', async () => {
    const trip = await insertRequestedTrip(models, requestedTrip('OFFER-1'), noNudge);
    // The orchestrator logs the offer; the relay may publish it before the orchestrator projects it.
    const now = new Date();
    const change = {
      event: 'DRIVERS_NOTIFIED' as const,
      driverCodes: ['DRV-1', 'DRV-2'],
      acceptDeadline: new Date(now.getTime() + 60_000),
    };
    const transition = applyChange(trip, change, now);
    if (!transition.ok) throw new Error(transition.reason);
    await models.TripEventLog.create({
      _id: 'OFFER-1:2',
      code: 'OFFER-1',
      version: 2,
      set: transition.set,
      entry: { type: 'DRIVERS_NOTIFIED', version: 2, occurredAt: now, status: 'DRIVERS_NOTIFIED' },
      envelope: createTripEvent('DRIVERS_NOTIFIED', toSnapshot(transition.next), EVENT_SOURCE, now),
      published: true,
      createdAt: now,
    });

    const accepted = await acceptTrip(models, 'OFFER-1', 'DRV-2', 1_000, noNudge);

    expect(accepted).toMatchObject({ status: 'DRIVER_ASSIGNED', driverCode: 'DRV-2', version: 3 });
    const stored = await models.Trips.findOne({ code: 'OFFER-1' }).lean<TripRecord>().exec();
    expect(stored?.events.map((e) => `${e.type}:${e.version}`)).toEqual([
      'TRIP_REQUESTED:1',
      'DRIVERS_NOTIFIED:2',
      'DRIVER_ASSIGNED:3',
    ]);
  });

  it('should request a trip when the relay projects its first event before the request handler does', async () => {
    // The relay runs right after the first event is logged and creates the trip document itself.
    const TripEventLog = new Proxy(models.TripEventLog, {
      get: (target, property, receiver) =>
        property === 'create'
          ? async (doc: TripEventLogRecord) => {
              const logged = await target.create(doc);
              await catchUp(models, doc.code);
              return logged;
            }
          : (Reflect.get(target, property, receiver) as unknown),
    });

    const trip = await insertRequestedTrip({ ...models, TripEventLog }, requestedTrip('REQ-1'), noNudge);

    expect(trip).toMatchObject({ code: 'REQ-1', status: 'REQUESTED', version: 1 });
    expect(await models.Trips.countDocuments({ code: 'REQ-1' })).toBe(1);
  });
});
