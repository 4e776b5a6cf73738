import type { TripStatus } from './generated/resolvers-types';
import type { TripModels, TripStatsRecord } from './models';

/**
 * Counts by status and the average duration of completed trips. Only $match/$group/$sum, which
 * FerretDB supports ($ifNull, $cond and $avg in $group are not all there).
 */
export async function tripStats(models: TripModels): Promise<TripStatsRecord> {
  const [counts, durations] = await Promise.all([
    models.Trips.aggregate<{ _id: TripStatus; count: number }>([
      { $group: { _id: '$status', count: { $sum: 1 } } },
    ]),
    models.Trips.aggregate<{ _id: null; total: number; count: number }>([
      { $match: { status: 'COMPLETED', durationSeconds: { $type: 'number' } } },
      { $group: { _id: null, total: { $sum: '$durationSeconds' }, count: { $sum: 1 } } },
    ]),
  ]);
  const completed = durations[0];
  return {
    total: counts.reduce((sum, r) => sum + r.count, 0),
    byStatus: counts
      .map((r) => ({ status: r._id, count: r.count }))
      .sort((a, b) => a.status.localeCompare(b.status)),
    averageDurationSeconds: completed && completed.count > 0 ? completed.total / completed.count : null,
  };
}
