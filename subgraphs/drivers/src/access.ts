import { authorize, isSelf, requireIdentity, type Identity } from '@rideshare/common';
import type { Context } from './context';

/**
 * Who may see a driver and where they are: admins and services, the driver, and the passenger of the
 * driver's current trip (the trips service is asked only when a passenger calls). FORBIDDEN otherwise.
 */
export async function authorizeDriverWatcher(ctx: Context, code: string, what: string): Promise<Identity> {
  const caller = requireIdentity(ctx.identity);
  if (caller.role === 'passenger' && (await ctx.currentPassenger.load(code)) === caller.code) return caller;
  return authorize(caller, what, isSelf('driver', code));
}
