import { boundingBox, haversineKm, type LatLon } from '@rideshare/common';
import type { DriverModels, DriverRecord } from './models';

export interface NearbyDriver {
  driver: DriverRecord;
  distanceKm: number;
}

/**
 * Available drivers within radiusKm of center, nearest first. No geo operators (FerretDB has none):
 * an indexed bounding-box prefilter, then exact great-circle distances in memory.
 */
export async function findDriversNear(
  models: DriverModels,
  center: LatLon,
  radiusKm: number,
  limit: number,
): Promise<NearbyDriver[]> {
  const box = boundingBox(center, radiusKm);
  const candidates = await models.Drivers.find({
    isAcceptingRides: true,
    'location.latitude': { $gte: box.minLat, $lte: box.maxLat },
    $or: box.lonRanges.map(([min, max]) => ({ 'location.longitude': { $gte: min, $lte: max } })),
  }).lean<DriverRecord[]>();
  return candidates
    .flatMap((driver) =>
      driver.location ? [{ driver, distanceKm: haversineKm(center, driver.location) }] : [],
    )
    .filter((d) => d.distanceKm <= radiusKm)
    .sort((a, b) => a.distanceKm - b.distanceKm || a.driver.code.localeCompare(b.driver.code))
    .slice(0, limit);
}
