import { haversineKm, type LatLon } from '@rideshare/common';
import { cellsCovering } from './geo-cells';
import type { DriverRecord } from './models';
import type { DriverStorage } from './storage';

export interface NearbyDriver {
  driver: DriverRecord;
  distanceKm: number;
}

/** The first ring searched; each next one doubles, up to the requested radius. */
const FIRST_RING_KM = 0.5;

const nearestFirst = (a: NearbyDriver, b: NearbyDriver) =>
  a.distanceKm - b.distanceKm || a.driver.code.localeCompare(b.driver.code);

/**
 * Available drivers within radiusKm of center, nearest first. No geo operators (FerretDB has none): the
 * storage reads the available drivers of grid cells (indexed equalities), exact great-circle distances
 * are computed here. The search grows in rings, so a busy area reads only the drivers near the pickup:
 * once a ring of radius r holds `limit` drivers, every driver within r has been read, and no driver
 * further out can be nearer.
 */
export async function findDriversNear(
  storage: Pick<DriverStorage, 'availableInCells'>,
  center: LatLon,
  radiusKm: number,
  limit: number,
): Promise<NearbyDriver[]> {
  const searched = new Set<string>();
  const found = new Map<string, NearbyDriver>();
  for (let ring = Math.min(FIRST_RING_KM, radiusKm); ; ring = Math.min(ring * 2, radiusKm)) {
    const cells = cellsCovering(center, ring).filter((cell) => !searched.has(cell));
    for (const cell of cells) searched.add(cell);
    for (const driver of await storage.availableInCells(cells)) {
      if (!driver.location) continue;
      const distanceKm = haversineKm(center, driver.location);
      if (distanceKm <= radiusKm) found.set(driver.code, { driver, distanceKm });
    }
    const within = [...found.values()].filter((d) => d.distanceKm <= ring);
    if (within.length >= limit || ring >= radiusKm) return within.sort(nearestFirst).slice(0, limit);
  }
}
