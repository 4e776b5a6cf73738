/** The reference client's pickup points and destinations (the same as the stack's seed `places`). */
export interface Place {
  id: string;
  name: string;
  latitude: number;
  longitude: number;
}

export const PICKUPS: Place[] = [
  { id: 'microsoft', name: 'Microsoft Corporate Office', latitude: 47.6423354, longitude: -122.1391189 },
  { id: 'hyatt', name: 'Hyatt Regency Bellevue', latitude: 47.618282, longitude: -122.201035 },
  { id: 'space-needle', name: 'Space Needle', latitude: 47.62053, longitude: -122.3493 },
];

export const DESTINATIONS: Place[] = [
  { id: 'seattle', name: 'Seattle', latitude: 47.6131746, longitude: -122.4821466 },
  { id: 'bellevue', name: 'Bellevue', latitude: 47.5963256, longitude: -122.1928181 },
  { id: 'redmond', name: 'Redmond', latitude: 47.6721228, longitude: -122.1356409 },
];

export interface Point {
  latitude: number;
  longitude: number;
}

/** Great-circle distance in km (haversine), as the drivers subgraph measures `driversNear`. */
export function distanceKm(a: Point, b: Point): number {
  const rad = (deg: number) => (deg * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

export const formatPoint = (p: Point) => `${p.latitude.toFixed(4)}, ${p.longitude.toFixed(4)}`;
