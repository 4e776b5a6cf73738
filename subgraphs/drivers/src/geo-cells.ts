import { boundingBox, type LatLon } from '@rideshare/common';

/**
 * Grid cells for the nearby search. No geo operators exist on FerretDB, and it pushes only equality down
 * to PostgreSQL, so "drivers within this box" is asked as "drivers in one of these cells": each driver
 * stores its cell at every level, and a search picks the finest level that covers the box in few cells.
 */
const LEVELS = [
  { name: 'a', degrees: 0.005 },
  { name: 'b', degrees: 0.02 },
  { name: 'c', degrees: 0.2 },
  { name: 'd', degrees: 2 },
  { name: 'e', degrees: 20 },
] as const;

/** More cells than this and the next, coarser level is used (each cell is one query). */
const MAX_CELLS = 40;

const key = (level: string, lat: number, lon: number) => `${level}${lat}:${lon}`;
const index = (value: number, degrees: number) => Math.floor(value / degrees);

/** The cells a point lies in, one per level; none for a driver with no location. */
export function cellsOf(point: LatLon | null | undefined): string[] {
  if (!point) return [];
  return LEVELS.map((l) => key(l.name, index(point.latitude, l.degrees), index(point.longitude, l.degrees)));
}

/** Cells of one level that together cover the circle's bounding box (the caller checks exact distance). */
export function cellsCovering(center: LatLon, radiusKm: number): string[] {
  const box = boundingBox(center, radiusKm);
  const cover = (degrees: number, name: string) => {
    const cells: string[] = [];
    for (let lat = index(box.minLat, degrees); lat <= index(box.maxLat, degrees); lat++)
      for (const [min, max] of box.lonRanges)
        for (let lon = index(min, degrees); lon <= index(max, degrees); lon++)
          cells.push(key(name, lat, lon));
    return [...new Set(cells)];
  };
  for (const level of LEVELS.slice(0, -1)) {
    const latCells = index(box.maxLat, level.degrees) - index(box.minLat, level.degrees) + 1;
    const lonCells = box.lonRanges.reduce(
      (n, [min, max]) => n + index(max, level.degrees) - index(min, level.degrees) + 1,
      0,
    );
    if (latCells * lonCells <= MAX_CELLS) return cover(level.degrees, level.name);
  }
  const coarsest = LEVELS[LEVELS.length - 1]!;
  return cover(coarsest.degrees, coarsest.name);
}
