import { haversineKm, type LatLon } from '@rideshare/common';
import type { DriverRecord } from './models';
import type { DriverStorage } from './storage';

export interface NearbyDriver {
  driver: DriverRecord;
  distanceKm: number;
}

/**
 * Available drivers within radiusKm of center, nearest first. No geo operators (FerretDB has none):
 * an indexed bounding-box prefilter (the storage's candidate query), then exact great-circle distances
 * in memory.
 */
export async function findDriversNear(
  storage: DriverStorage,
  center: LatLon,
  radiusKm: number,
  limit: number,
): Promise<NearbyDriver[]> {
  const candidates = await storage.nearbyCandidates(center, radiusKm);
  return candidates
    .flatMap((driver) =>
      driver.location ? [{ driver, distanceKm: haversineKm(center, driver.location) }] : [],
    )
    .filter((d) => d.distanceKm <= radiusKm)
    .sort((a, b) => a.distanceKm - b.distanceKm || a.driver.code.localeCompare(b.driver.code))
    .slice(0, limit);
}
