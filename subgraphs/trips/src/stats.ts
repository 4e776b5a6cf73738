import { TRIP_STATUSES, type TerminalTripStatus } from '@rideshare/events';
import type { TripModels, TripStatsRecord } from './models';
import { countByStatus } from './trip-lists';

/**
 * One accumulator per $group: FerretDB 1.24 computes only the first accumulator of a $group
 * correctly (the others come back 0), and lacks $avg, $ifNull and $cond there.
 */
async function sumBy(
  models: TripModels,
  status: TerminalTripStatus,
  key: '$hour' | 'all',
  value: 1 | '$durationSeconds',
): Promise<Map<string, number>> {
  const rows = await models.TripFacts.aggregate<{ _id: string; total: number }>([
    { $match: { status } },
    { $group: { _id: key, total: { $sum: value } } },
  ]);
  return new Map(rows.map((r) => [r._id, r.total]));
}

const average = (total: number | undefined, count: number | undefined) =>
  count ? (total ?? 0) / count : null;

/** Live counts by status from the trips collection; finished-trip figures from the reporting projection. */
export async function tripStats(models: TripModels): Promise<TripStatsRecord> {
  const [
    counts,
    completedAll,
    completedSecondsAll,
    abortedAll,
    completedByHour,
    completedSecondsByHour,
    abortedByHour,
  ] = await Promise.all([
    countByStatus(models, [...TRIP_STATUSES]),
    sumBy(models, 'COMPLETED', 'all', 1),
    sumBy(models, 'COMPLETED', 'all', '$durationSeconds'),
    sumBy(models, 'ABORTED', 'all', 1),
    sumBy(models, 'COMPLETED', '$hour', 1),
    sumBy(models, 'COMPLETED', '$hour', '$durationSeconds'),
    sumBy(models, 'ABORTED', '$hour', 1),
  ]);
  const hours = [...new Set([...completedByHour.keys(), ...abortedByHour.keys()])]
    .sort()
    .reverse()
    .slice(0, 48);
  return {
    total: counts.reduce((sum, r) => sum + r.count, 0),
    byStatus: counts.sort((a, b) => a.status.localeCompare(b.status)),
    completed: completedAll.get('all') ?? 0,
    aborted: abortedAll.get('all') ?? 0,
    averageDurationSeconds: average(completedSecondsAll.get('all'), completedAll.get('all')),
    perHour: hours.map((hour) => ({
      hour,
      completed: completedByHour.get(hour) ?? 0,
      aborted: abortedByHour.get(hour) ?? 0,
      averageDurationSeconds: average(completedSecondsByHour.get(hour), completedByHour.get(hour)),
    })),
  };
}
