/** Great-circle geometry without database geo operators (FerretDB has none). */
export interface LatLon {
  latitude: number;
  longitude: number;
}

const EARTH_RADIUS_KM = 6371.0088;
export const KM_PER_MILE = 1.609344;

const toRad = (deg: number) => (deg * Math.PI) / 180;

export function haversineKm(a: LatLon, b: LatLon): number {
  const dLat = toRad(b.latitude - a.latitude);
  const dLon = toRad(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(toRad(a.latitude)) * Math.cos(toRad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A box that contains every point within radiusKm of center; used as an indexed prefilter. */
export function boundingBox(center: LatLon, radiusKm: number) {
  const dLat = (radiusKm / EARTH_RADIUS_KM) * (180 / Math.PI);
  const minLat = Math.max(-90, center.latitude - dLat);
  const maxLat = Math.min(90, center.latitude + dLat);
  const cosLat = Math.cos(toRad(center.latitude));
  // Near the poles or across a huge radius the box spans every longitude.
  if (maxLat >= 90 || minLat <= -90 || cosLat < 1e-9 || radiusKm / EARTH_RADIUS_KM >= Math.PI / 2) {
    return { minLat, maxLat, lonRanges: [[-180, 180]] as Array<[number, number]> };
  }
  const dLon = Math.min(180, (radiusKm / (EARTH_RADIUS_KM * cosLat)) * (180 / Math.PI));
  const minLon = center.longitude - dLon;
  const maxLon = center.longitude + dLon;
  const lonRanges: Array<[number, number]> = [];
  if (dLon >= 180) lonRanges.push([-180, 180]);
  else if (minLon < -180) lonRanges.push([minLon + 360, 180], [-180, maxLon]);
  else if (maxLon > 180) lonRanges.push([minLon, 180], [-180, maxLon - 360]);
  else lonRanges.push([minLon, maxLon]);
  return { minLat, maxLat, lonRanges };
}

/** Returns a problem description, or null when the point is a real coordinate. */
export function coordinateProblem(point: LatLon): string | null {
  if (!Number.isFinite(point.latitude) || point.latitude < -90 || point.latitude > 90) {
    return `latitude must be between -90 and 90, got ${point.latitude}`;
  }
  if (!Number.isFinite(point.longitude) || point.longitude < -180 || point.longitude > 180) {
    return `longitude must be between -180 and 180, got ${point.longitude}`;
  }
  return null;
}
