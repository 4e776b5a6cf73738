import crypto from 'node:crypto';
import type mongoose from 'mongoose';
import { connectDatabase, readInfraConfig } from '@rideshare/common';
import { createTripEvent } from '@rideshare/events';
import { acceptTrip, cancelTrip } from '../src/lifecycle/accept';
import {
  catchUp,
  changeTrip,
  EVENT_SOURCE,
  findTrip,
  insertRequestedTrip,
  scheduledTrips,
  tripsInTimerSlots,
} from '../src/lifecycle/store';
import { slotOf } from '../src/lifecycle/timers';
import { applyChange, toSnapshot } from '../src/lifecycle/transitions';
import { tripModels, type TripEventLogRecord, type TripModels, type TripRecord } from '../src/models';
import { requestedTrip } from './trip-records';

const noNudge = () => undefined;

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

  it('should put back the latest version when a slow writer projects an older one after it', async () => {
    const code = 'SLOW-1';
    await insertRequestedTrip(models, requestedTrip(code), noNudge);
    // The slow writer has logged version 2; before its projection lands, another writer logs and projects 3.
    let overtaken = false;
    const Trips = new Proxy(models.Trips, {
      get: (target, property, receiver) =>
        property === 'updateOne' && !overtaken
          ? (...args: Parameters<typeof target.updateOne>) => {
              overtaken = true;
              return {
                exec: async () => {
                  const faster = await changeTrip(
                    models,
                    code,
                    () => ({ event: 'DRIVER_ASSIGNED', driverCode: 'DRV-1', nextMonitorAt: new Date() }),
                    noNudge,
                  );
                  expect(faster).toMatchObject({ ok: true, trip: { version: 3 } });
                  return target.updateOne(...args).exec(); // the stale write of version 2
                },
              };
            }
          : (Reflect.get(target, property, receiver) as unknown),
    });
    const offer = { event: 'DRIVERS_NOTIFIED' as const, driverCodes: ['DRV-1'], acceptDeadline: new Date() };

    const slow = await changeTrip({ ...models, Trips }, code, () => offer, noNudge);

    expect(slow).toMatchObject({ ok: true, trip: { version: 2 } });
    const stored = await findTrip(models, code);
    expect(stored?.version).toBe(3);
    expect(stored?.events.map((e) => e.version)).toEqual([1, 2, 3]);
    expect(stored).toMatchObject({ status: 'DRIVER_ASSIGNED', driverCode: 'DRV-1' });
  });

  it('should file each trip under the slot of its next deadline, and under none once it ends', async () => {
    const code = 'TIMER-1';
    await insertRequestedTrip(models, requestedTrip(code), noNudge);
    const filedNow = await tripsInTimerSlots(models, [slotOf(Date.now())]);
    expect(filedNow.map((t) => t._id)).not.toContain(code);
    const acceptDeadline = new Date(Date.now() + 60_000);
    await changeTrip(
      models,
      code,
      () => ({ event: 'DRIVERS_NOTIFIED', driverCodes: ['D1'], acceptDeadline }),
      noNudge,
    );
    const filed = await tripsInTimerSlots(models, [slotOf(acceptDeadline)]);
    expect(filed).toEqual([
      expect.objectContaining({ _id: code, status: 'DRIVERS_NOTIFIED', acceptDeadline }),
    ]);
    expect((await scheduledTrips(models)).map((t) => t._id)).toContain(code);

    await cancelTrip(models, code, 'test', noNudge);

    const filedAfter = await tripsInTimerSlots(models, [slotOf(acceptDeadline)]);
    expect(filedAfter.map((t) => t._id)).not.toContain(code);
    expect((await scheduledTrips(models)).map((t) => t._id)).not.toContain(code);
  });
});
