import { findForEach } from '@rideshare/common';
import type { TripStatus } from './generated/resolvers-types';
import type { TripModels, TripRecord } from './models';

/** Which trips a list shows: one status or several, or those of one passenger or driver. */
export type TripListFilter =
  { statuses: TripStatus[] } | { passengerCode: string } | { driverCode: string } | Record<string, never>;

const newestFirst = (a: TripRecord, b: TripRecord) =>
  b.requestedAt.getTime() - a.requestedAt.getTime() || a.code.localeCompare(b.code);

const newest = (models: TripModels, filter: Record<string, string>, limit: number) =>
  models.Trips.find(filter).sort({ requestedAt: -1, code: 1 }).limit(limit).lean<TripRecord[]>().exec();

/**
 * The newest trips matching the filter. Each query is one equality on an indexed field; several
 * statuses are asked one by one (`findForEach`) and merged here, as FerretDB does not sort either. With no filter at all the list reads every trip (an admin's view, not a hot path).
 */
export async function latestTrips(
  models: TripModels,
  filter: TripListFilter,
  limit: number,
): Promise<TripRecord[]> {
  if (!('statuses' in filter)) return newest(models, filter, limit);
  const lists = await findForEach(filter.statuses, (status) => newest(models, { status }, limit));
  return lists.sort(newestFirst).slice(0, limit);
}

/** How many trips have each status (one indexed count per status; statuses with none are left out). */
export async function countByStatus(
  models: TripModels,
  statuses: TripStatus[],
): Promise<Array<{ status: TripStatus; count: number }>> {
  const counts = await Promise.all(
    statuses.map(async (status) => ({ status, count: await models.Trips.countDocuments({ status }).exec() })),
  );
  return counts.filter((c) => c.count > 0);
}
