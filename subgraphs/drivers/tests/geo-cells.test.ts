import { haversineKm } from '@rideshare/common';
import { cellsCovering, cellsOf } from '../src/geo-cells';

const seattle = { latitude: 47.6205, longitude: -122.3493 };

describe('nearby search cells', () => {
  it('should give a point one cell per level and a driver with no location none', () => {
    expect(cellsOf(seattle)).toEqual(['a9524:-24470', 'b2381:-6118', 'c238:-612', 'd23:-62', 'e2:-7']);
    expect(cellsOf(null)).toEqual([]);
  });

  it('should cover a search with the finest level that needs at most 40 cells', () => {
    expect(cellsCovering(seattle, 0.5).every((c) => c.startsWith('a'))).toBe(true);
    const wide = cellsCovering(seattle, 24);
    expect(wide.length).toBeLessThanOrEqual(40);
    expect(wide.every((c) => c.startsWith('c'))).toBe(true);
  });

  it('should find every point inside the radius in one of the covering cells', () => {
    for (const center of [seattle, { latitude: 0, longitude: 179.99 }, { latitude: -89.9, longitude: 10 }])
      for (const radiusKm of [1, 24, 150, 500]) {
        const cover = new Set(cellsCovering(center, radiusKm));
        for (let i = 0; i < 400; i++) {
          const angle = (i * 137.5 * Math.PI) / 180;
          const distance = (radiusKm * ((i % 20) + 0.5)) / 20.5 / 111.2;
          const latitude = Math.max(-90, Math.min(90, center.latitude + distance * Math.sin(angle)));
          let longitude =
            center.longitude +
            (distance * Math.cos(angle)) / Math.max(Math.cos((latitude * Math.PI) / 180), 1e-6);
          longitude = ((((longitude + 180) % 360) + 360) % 360) - 180;
          const point = { latitude, longitude };
          if (haversineKm(center, point) > radiusKm) continue;
          expect({ center, radiusKm, point, found: cellsOf(point).some((c) => cover.has(c)) }).toMatchObject({
            found: true,
          });
        }
      }
  });
});
