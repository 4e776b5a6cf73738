import {
  conflict,
  notFound,
  requireCode,
  requireCoordinates,
  listLimit,
  nameChanges,
  newPersonRecord,
  badInput,
  authorize,
  isSelf,
  requireIdentity,
  VersionConflictError,
} from '@rideshare/common';
import { authorizeDriverWatcher } from './access';
import type { Context } from './context';
import type { Resolvers } from './generated/resolvers-types';
import type { DriverRecord } from './models';
import { findDriversNear } from './nearby';
import { authorizeDriverMove } from './simulator-moves';
import type { DriverChange } from './storage';
import { validateCar } from './validation';

const MAX_RADIUS_KM = 500;

async function getDriver(ctx: Context, code: string): Promise<DriverRecord> {
  const driver = await ctx.driverByCode.load(requireCode('code', code));
  if (!driver) throw notFound('Driver', code);
  return driver;
}

/** Applies a change to one driver and returns the new document, or NOT_FOUND / CONFLICT. */
async function changeDriver(ctx: Context, code: string, change: DriverChange): Promise<DriverRecord> {
  let updated: DriverRecord | null;
  try {
    updated = await ctx.storage.updateDriver(requireCode('code', code), change);
  } catch (err) {
    if (err instanceof VersionConflictError)
      throw conflict(`Driver "${code}" is changing too fast; try again`);
    throw err;
  }
  if (!updated) throw notFound('Driver', code);
  ctx.driverByCode.clear(code).prime(code, updated);
  return updated;
}

export const resolvers: Resolvers = {
  Query: {
    drivers: (_p, { limit }, ctx) =>
      authorize(ctx.identity, 'list drivers') && ctx.storage.listDrivers(listLimit(limit, 50)),
    driver: (_p, { code }, ctx) =>
      authorize(ctx.identity, `read driver ${code}`, isSelf('driver', code)) && getDriver(ctx, code),
    trackedDriver: async (_p, { code }, ctx) => {
      await authorizeDriverWatcher(ctx, code, `follow driver ${code}`);
      return getDriver(ctx, code);
    },
    activeDrivers: (_p, { limit }, ctx) =>
      authorize(ctx.identity, 'list drivers') && ctx.storage.listActiveDrivers(listLimit(limit, 50)),
    driversNear: async (_p, { location, radiusKm, limit }, ctx) => {
      authorize(ctx.identity, 'search drivers');
      const center = requireCoordinates('location', location);
      if (!Number.isFinite(radiusKm) || radiusKm <= 0 || radiusKm > MAX_RADIUS_KM) {
        throw badInput('radiusKm', `must be greater than 0 and at most ${MAX_RADIUS_KM}, got ${radiusKm}`);
      }
      const near = await findDriversNear(ctx.storage, center, radiusKm, listLimit(limit, 10));
      return near.map((n) => n.driver);
    },
  },
  Mutation: {
    createDriver: async (_p, { input }, ctx) => {
      authorize(ctx.identity, 'create drivers');
      const record = {
        ...newPersonRecord(input),
        car: validateCar('input.car', input.car),
        location: input.location ? requireCoordinates('input.location', input.location) : null,
        isAcceptingRides: input.isAcceptingRides ?? true,
      };
      const created = await ctx.storage.createDriver(record);
      if (!created) throw conflict(`Driver "${record.code}" already exists`);
      return created;
    },
    updateDriver: async (_p, { code, input }, ctx) => {
      authorize(ctx.identity, `change driver ${code}`, isSelf('driver', code));
      const change: DriverChange = nameChanges(input);
      if (input.car != null) change.car = validateCar('input.car', input.car);
      return changeDriver(ctx, code, change);
    },
    deleteDriver: async (_p, { code }, ctx) => {
      authorize(ctx.identity, 'delete drivers');
      if (!(await ctx.storage.deleteDriver(requireCode('code', code)))) throw notFound('Driver', code);
      return true;
    },
    updateDriverLocation: async (_p, { code, location }, ctx) => {
      await authorizeDriverMove(ctx, code);
      const point = requireCoordinates('location', location);
      const driver = await changeDriver(ctx, code, { location: point });
      await ctx.storage.recordLocation(code, point);
      return driver;
    },
    setDriverAvailability: (_p, { code, isAcceptingRides }, ctx) =>
      authorize(ctx.identity, `change driver ${code}`, isSelf('driver', code)) &&
      changeDriver(ctx, code, { isAcceptingRides }),
  },
  Driver: {
    // A driver's name and car are visible to anyone signed in who reaches them (through a trip they may see).
    __resolveReference: (ref, ctx) => requireIdentity(ctx.identity) && ctx.driverByCode.load(ref.code),
    location: async (d, _args, ctx) => {
      await authorizeDriverWatcher(ctx, d.code, `see where driver ${d.code} is`);
      return d.location ?? null;
    },
    isAcceptingRides: (d, _args, ctx) =>
      authorize(ctx.identity, `see driver ${d.code}'s availability`, isSelf('driver', d.code)) &&
      d.isAcceptingRides,
    locationHistory: async (d, { limit }, ctx) => {
      authorize(ctx.identity, `see where driver ${d.code} was`, isSelf('driver', d.code));
      const rows = await ctx.storage.locationHistory(d.code, listLimit(limit, 20));
      return rows.map((r) => ({ location: r.location, recordedAt: r.recordedAt.toISOString() }));
    },
    createdAt: (d) => d.createdAt.toISOString(),
    updatedAt: (d) => d.updatedAt.toISOString(),
  },
};
