import {
  conflict,
  generateCode,
  isDuplicateKeyError,
  notFound,
  requireCode,
  requireCoordinates,
  requireLimit,
  requireName,
  badInput,
  authorize,
  isSelf,
  requireIdentity,
} from '@rideshare/common';
import type { Context } from './context';
import type { Resolvers } from './generated/resolvers-types';
import type { DriverRecord } from './models';
import { findDriversNear } from './nearby';
import { validateCar } from './validation';

const MAX_LIST = 200;
const MAX_RADIUS_KM = 500;

async function getDriver(ctx: Context, code: string): Promise<DriverRecord> {
  const driver = await ctx.driverByCode.load(requireCode('code', code));
  if (!driver) throw notFound('Driver', code);
  return driver;
}

/**
 * The latest queued update of each driver in this process. FerretDB applies an update as a
 * read-modify-write of the whole document, so two concurrent updates of one driver (a location ping
 * and an availability change) can lose one of them: updates of the same driver run one at a time.
 */
const driverUpdates = new Map<string, Promise<unknown>>();

/** Applies an update to one driver and returns the new document, or NOT_FOUND. */
async function updateDriver(ctx: Context, code: string, set: Partial<DriverRecord>): Promise<DriverRecord> {
  requireCode('code', code);
  const update = async () => {
    const updated = await ctx.models.Drivers.findByIdAndUpdate(
      code,
      { $set: set },
      { new: true },
    ).lean<DriverRecord>();
    if (!updated) throw notFound('Driver', code);
    ctx.driverByCode.clear(code).prime(code, updated);
    return updated;
  };
  const result = (driverUpdates.get(code) ?? Promise.resolve()).then(update);
  const done = result.catch(() => undefined);
  driverUpdates.set(code, done);
  void done.then(() => driverUpdates.get(code) === done && driverUpdates.delete(code));
  return result;
}

export const resolvers: Resolvers = {
  Query: {
    drivers: (_p, { limit }, ctx) =>
      authorize(ctx.identity, 'list drivers') &&
      ctx.models.Drivers.find()
        .sort({ code: 1 })
        .limit(requireLimit('limit', limit, 50, MAX_LIST))
        .lean<DriverRecord[]>()
        .exec(),
    driver: (_p, { code }, ctx) =>
      authorize(ctx.identity, `read driver ${code}`, isSelf('driver', code)) && getDriver(ctx, code),
    activeDrivers: (_p, { limit }, ctx) =>
      authorize(ctx.identity, 'list drivers') &&
      ctx.models.Drivers.find({ isAcceptingRides: true })
        .sort({ code: 1 })
        .limit(requireLimit('limit', limit, 50, MAX_LIST))
        .lean<DriverRecord[]>()
        .exec(),
    driversNear: async (_p, { location, radiusKm, limit }, ctx) => {
      authorize(ctx.identity, 'search drivers');
      const center = requireCoordinates('location', location);
      if (!Number.isFinite(radiusKm) || radiusKm <= 0 || radiusKm > MAX_RADIUS_KM) {
        throw badInput('radiusKm', `must be greater than 0 and at most ${MAX_RADIUS_KM}, got ${radiusKm}`);
      }
      const near = await findDriversNear(
        ctx.models,
        center,
        radiusKm,
        requireLimit('limit', limit, 10, MAX_LIST),
      );
      return near.map((n) => n.driver);
    },
  },
  Mutation: {
    createDriver: async (_p, { input }, ctx) => {
      authorize(ctx.identity, 'create drivers');
      const code = input.code ? requireCode('input.code', input.code) : generateCode();
      const record = {
        _id: code,
        code,
        firstName: requireName('input.firstName', input.firstName),
        lastName: requireName('input.lastName', input.lastName),
        car: validateCar('input.car', input.car),
        location: input.location ? requireCoordinates('input.location', input.location) : null,
        isAcceptingRides: input.isAcceptingRides ?? true,
      };
      try {
        const created = await ctx.models.Drivers.create(record);
        return created.toObject();
      } catch (err) {
        if (isDuplicateKeyError(err)) throw conflict(`Driver "${record.code}" already exists`);
        throw err;
      }
    },
    updateDriver: async (_p, { code, input }, ctx) => {
      authorize(ctx.identity, `change driver ${code}`, isSelf('driver', code));
      const set: Partial<DriverRecord> = {};
      if (input.firstName != null) set.firstName = requireName('input.firstName', input.firstName);
      if (input.lastName != null) set.lastName = requireName('input.lastName', input.lastName);
      if (input.car != null) set.car = validateCar('input.car', input.car);
      return updateDriver(ctx, code, set);
    },
    deleteDriver: async (_p, { code }, ctx) => {
      authorize(ctx.identity, 'delete drivers');
      const result = await ctx.models.Drivers.deleteOne({ _id: requireCode('code', code) });
      if (result.deletedCount === 0) throw notFound('Driver', code);
      await ctx.models.DriverLocations.deleteMany({ driverCode: code });
      return true;
    },
    updateDriverLocation: async (_p, { code, location }, ctx) => {
      authorize(ctx.identity, `move driver ${code}`, isSelf('driver', code));
      const point = requireCoordinates('location', location);
      const driver = await updateDriver(ctx, code, { location: point });
      await ctx.models.DriverLocations.create({ driverCode: code, location: point, recordedAt: new Date() });
      return driver;
    },
    setDriverAvailability: (_p, { code, isAcceptingRides }, ctx) =>
      authorize(ctx.identity, `change driver ${code}`, isSelf('driver', code)) &&
      updateDriver(ctx, code, { isAcceptingRides }),
  },
  Driver: {
    // A driver's name and car are visible to anyone signed in who reaches them (through a trip they may see).
    __resolveReference: (ref, ctx) => requireIdentity(ctx.identity) && ctx.driverByCode.load(ref.code),
    location: (d, _args, ctx) =>
      authorize(ctx.identity, `see where driver ${d.code} is`, isSelf('driver', d.code)) &&
      (d.location ?? null),
    isAcceptingRides: (d, _args, ctx) =>
      authorize(ctx.identity, `see driver ${d.code}'s availability`, isSelf('driver', d.code)) &&
      d.isAcceptingRides,
    locationHistory: async (d, { limit }, ctx) => {
      authorize(ctx.identity, `see where driver ${d.code} was`, isSelf('driver', d.code));
      const rows = await ctx.models.DriverLocations.find({ driverCode: d.code })
        .sort({ recordedAt: -1 })
        .limit(requireLimit('limit', limit, 20, MAX_LIST))
        .lean();
      return rows.map((r) => ({ location: r.location, recordedAt: r.recordedAt.toISOString() }));
    },
    createdAt: (d) => d.createdAt.toISOString(),
    updatedAt: (d) => d.updatedAt.toISOString(),
  },
};
