import {
  badInput,
  generateCode,
  notFound,
  requireCode,
  requireName,
  requireCoordinates,
  requireLimit,
  authorize,
  forbidden,
  isSelf,
  isSimulator,
  requireIdentity,
  type Identity,
} from '@rideshare/common';
import type { Context } from './context';
import { latestTrips, type TripListFilter } from './trip-lists';
import type { Resolvers } from './generated/resolvers-types';
import { ACTIVE_TRIP_STATUSES, isActiveTripStatus } from '@rideshare/events';
import type { TripRecord } from './models';
import { acceptTrip, cancelTrip } from './lifecycle/accept';
import { tripUpdateAt } from './lifecycle/history';
import { requestedTrip } from './lifecycle/requested-trip';
import { driverAssignment, insertRequestedTrip } from './lifecycle/store';
import { tripStats } from './stats';

const MAX_LIST = 200;

/** Who may see a trip: its passenger, the drivers it was offered to or assigned, admins and services. */
const maySee = (trip: TripRecord) => (caller: Identity) =>
  (caller.role === 'passenger' && caller.code === trip.passengerCode) ||
  (caller.role === 'driver' &&
    (caller.code === trip.driverCode || trip.availableDriverCodes.includes(caller.code)));

/** The simulator drives demo trips and nothing else: real passengers' trips are not its to accept. */
const demoTripsOnly = (caller: Identity) => (trip: TripRecord) => {
  if (trip.type !== 'DEMO')
    throw forbidden(
      `${caller.role} ${caller.code} may not accept trip ${trip.code}: it is ${trip.type}, not DEMO`,
    );
};

async function visibleTrip(ctx: Context, code: string): Promise<TripRecord> {
  requireIdentity(ctx.identity);
  const trip = await ctx.tripByCode.load(requireCode('code', code));
  if (!trip) throw notFound('Trip', code);
  authorize(ctx.identity, `see trip ${code}`, maySee(trip));
  return trip;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const tripsOf = (ctx: Context, filter: TripListFilter, limit: number | null | undefined, fallback: number) =>
  latestTrips(ctx.models, filter, requireLimit('limit', limit, fallback, MAX_LIST));

export const resolvers: Resolvers = {
  Query: {
    trip: (_p, { code }, ctx) => visibleTrip(ctx, code),
    tripUpdate: async (_p, { code, version }, ctx) => {
      const trip = await visibleTrip(ctx, code);
      if (!Number.isInteger(version) || version < 1)
        throw badInput('version', `must be a positive integer, got ${version}`);
      const update = await tripUpdateAt(ctx.models, trip, version);
      if (!update) throw notFound('TripUpdate', `${code}:${version}`);
      return update;
    },
    trips: (_p, { status, limit }, ctx) =>
      authorize(ctx.identity, 'list trips') && tripsOf(ctx, status ? { statuses: [status] } : {}, limit, 20),
    activeTrips: (_p, { limit }, ctx) =>
      authorize(ctx.identity, 'list trips') &&
      tripsOf(ctx, { statuses: [...ACTIVE_TRIP_STATUSES] }, limit, 50),
    tripStats: (_p, _args, ctx) => authorize(ctx.identity, 'read trip statistics') && tripStats(ctx.models),
  },
  Mutation: {
    requestTrip: async (_p, { input }, ctx) => {
      authorize(
        ctx.identity,
        `request trips for passenger ${input.passengerCode}`,
        isSelf('passenger', input.passengerCode),
      );
      const source = requireCoordinates('input.source', input.source);
      const destination = requireCoordinates('input.destination', input.destination);
      const passengerCode = requireCode('input.passengerCode', input.passengerCode);
      if (!(await ctx.passengers.exists(passengerCode))) throw notFound('Passenger', passengerCode);
      if (source.latitude === destination.latitude && source.longitude === destination.longitude) {
        throw badInput('input.destination', 'must differ from the source');
      }
      const now = new Date();
      return insertRequestedTrip(
        ctx.models,
        requestedTrip({
          code: generateCode(),
          type: input.type ?? 'NORMAL',
          passengerCode,
          source,
          destination,
          requestedAt: now,
        }),
        ctx.nudge,
      );
    },
    acceptTrip: (_p, { code, driverCode }, ctx) => {
      // The driver accepts for themselves; the simulator for an offered driver, on DEMO trips only.
      const caller = authorize(
        ctx.identity,
        `accept trips as driver ${driverCode}`,
        (c) => isSelf('driver', driverCode)(c) || isSimulator(c),
      );
      return acceptTrip(
        ctx.models,
        requireCode('code', code),
        requireCode('driverCode', driverCode),
        ctx.lifecycle.monitorIntervalMs,
        ctx.nudge,
        isSimulator(caller) ? demoTripsOnly(caller) : undefined,
      );
    },
    cancelTrip: async (_p, { code, reason }, ctx) => {
      const trip = await visibleTrip(ctx, code);
      authorize(ctx.identity, `cancel trip ${code}`, isSelf('passenger', trip.passengerCode));
      return cancelTrip(
        ctx.models,
        requireCode('code', code),
        `Cancelled: ${reason ? requireName('reason', reason, 200) : 'no reason given'}`,
        ctx.nudge,
      );
    },
  },
  Trip: {
    __resolveReference: async (ref, ctx) => {
      const trip = await ctx.tripByCode.load(ref.code);
      // Unknown references resolve to null, as entities do; known ones only for those who may see them.
      return trip && authorize(ctx.identity, `see trip ${ref.code}`, maySee(trip)) && trip;
    },
    passenger: (t) => ({ code: t.passengerCode }),
    driver: (t) => (t.driverCode ? { code: t.driverCode } : null),
    availableDrivers: (t) => t.availableDriverCodes.map((code) => ({ code })),
    requestedAt: (t) => t.requestedAt.toISOString(),
    acceptedAt: (t) => iso(t.acceptedAt),
    startedAt: (t) => iso(t.startedAt),
    endedAt: (t) => iso(t.endedAt),
    events: (t) => t.events.map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString() })),
    driverLocation: (t) => t.driverLocation ?? null,
  },
  TripUpdate: {
    occurredAt: (u) => u.occurredAt.toISOString(),
  },
  Driver: {
    __resolveReference: (ref) => ({ code: ref.code }),
    trips: (d, { limit }, ctx) =>
      authorize(ctx.identity, `see driver ${d.code}'s trips`, isSelf('driver', d.code)) &&
      tripsOf(ctx, { driverCode: d.code }, limit, 20),
    // The driver's lock names the trip (two point reads; a scan of all trips on FerretDB otherwise).
    currentTrip: async (d, _args, ctx) => {
      authorize(ctx.identity, `see driver ${d.code}'s trips`, isSelf('driver', d.code));
      const lock = await driverAssignment(ctx.models, d.code);
      const trip = lock ? await ctx.tripByCode.load(lock.tripCode) : null;
      return trip && trip.driverCode === d.code && isActiveTripStatus(trip.status) ? trip : null;
    },
  },
  Passenger: {
    __resolveReference: (ref) => ({ code: ref.code }),
    trips: (p, { limit }, ctx) =>
      authorize(ctx.identity, `see passenger ${p.code}'s trips`, isSelf('passenger', p.code)) &&
      tripsOf(ctx, { passengerCode: p.code }, limit, 20),
  },
};
