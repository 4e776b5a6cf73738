import {
  badInput,
  conflict,
  isDuplicateKeyError,
  notFound,
  requireCode,
  requireEmail,
  listLimit,
  nameChanges,
  newPersonRecord,
  authorize,
  isSelf,
  requireIdentity,
} from '@rideshare/common';
import type { Context } from './context';
import type { Resolvers } from './generated/resolvers-types';
import type { PassengerChange } from './storage';

const PHONE = /^\+?[0-9 ()-]{5,20}$/;

function requirePhone(field: string, value: string): string {
  const phone = value.trim();
  if (!PHONE.test(phone))
    throw badInput(
      field,
      `must be a phone number (digits, spaces, "+", "-", "()"), got "${value.slice(0, 30)}"`,
    );
  return phone;
}

/**
 * Maps a duplicate-key error to CONFLICT naming what collided. FerretDB's E11000 message does not
 * name the index, so unless it says email, ask whether the code is the one taken.
 */
async function duplicateAsConflict(
  err: unknown,
  ctx: Context,
  email: string | undefined,
  code: string | undefined,
): Promise<never> {
  if (isDuplicateKeyError(err)) {
    const codeTaken =
      code !== undefined && !String(err).includes('email') && (await ctx.storage.codeTaken(code));
    throw conflict(
      codeTaken ? `Passenger "${code}" already exists` : `A passenger with email "${email}" already exists`,
    );
  }
  throw err;
}

export const resolvers: Resolvers = {
  Query: {
    passengers: (_p, { limit }, ctx) =>
      authorize(ctx.identity, 'list passengers') && ctx.storage.listPassengers(listLimit(limit, 50)),
    passenger: async (_p, { code }, ctx) => {
      authorize(ctx.identity, `read passenger ${code}`, isSelf('passenger', code));
      const passenger = await ctx.passengerByCode.load(requireCode('code', code));
      if (!passenger) throw notFound('Passenger', code);
      return passenger;
    },
  },
  Mutation: {
    registerPassenger: async (_p, { input }, ctx) => {
      // Admins register anyone; a passenger only the profile their token names.
      authorize(
        ctx.identity,
        'register passengers',
        (caller) => input.code != null && isSelf('passenger', input.code)(caller),
      );
      const record = {
        ...newPersonRecord(input),
        email: requireEmail('input.email', input.email),
        mobileNumber: input.mobileNumber ? requirePhone('input.mobileNumber', input.mobileNumber) : null,
      };
      try {
        return await ctx.storage.createPassenger(record);
      } catch (err) {
        return duplicateAsConflict(err, ctx, record.email, input.code ?? undefined);
      }
    },
    updatePassenger: async (_p, { code, input }, ctx) => {
      authorize(ctx.identity, `change passenger ${code}`, isSelf('passenger', code));
      const set: PassengerChange = nameChanges(input);
      if (input.email != null) set.email = requireEmail('input.email', input.email);
      if (input.mobileNumber != null)
        set.mobileNumber =
          input.mobileNumber === '' ? null : requirePhone('input.mobileNumber', input.mobileNumber);
      try {
        const updated = await ctx.storage.updatePassenger(requireCode('code', code), set);
        if (!updated) throw notFound('Passenger', code);
        return updated;
      } catch (err) {
        return duplicateAsConflict(err, ctx, set.email, undefined);
      }
    },
  },
  Passenger: {
    // Names are visible to anyone signed in who reaches the passenger (through a trip they may see);
    // contact details only to the passenger and admins.
    __resolveReference: (ref, ctx) => requireIdentity(ctx.identity) && ctx.passengerByCode.load(ref.code),
    email: (p, _args, ctx) =>
      authorize(ctx.identity, `see passenger ${p.code}'s email`, isSelf('passenger', p.code)) && p.email,
    mobileNumber: (p, _args, ctx) =>
      authorize(ctx.identity, `see passenger ${p.code}'s phone number`, isSelf('passenger', p.code)) &&
      (p.mobileNumber ?? null),
    createdAt: (p) => p.createdAt.toISOString(),
    updatedAt: (p) => p.updatedAt.toISOString(),
  },
};
