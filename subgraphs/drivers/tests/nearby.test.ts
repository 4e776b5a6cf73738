import { haversineKm, type LatLon } from '@rideshare/common';
import { cellsOf } from '../src/geo-cells';
import type { DriverRecord } from '../src/models';
import { findDriversNear } from '../src/nearby';

const center = { latitude: 47.6205, longitude: -122.3493 };

function driverAt(code: string, location: LatLon): DriverRecord {
  const car = { make: 'Kia', model: 'Niro', year: 2020, color: 'Red', licensePlate: code };
  const at = new Date(0);
  return {
    code,
    firstName: 'A',
    lastName: 'B',
    car,
    location,
    isAcceptingRides: true,
    createdAt: at,
    updatedAt: at,
  };
}

/** The storage's cell query over drivers held in memory, counting the cells it was asked for. */
function cellsOver(drivers: DriverRecord[]) {
  const asked: string[] = [];
  return {
    asked,
    availableInCells: (cells: string[]) => {
      asked.push(...cells);
      return Promise.resolve(drivers.filter((d) => cellsOf(d.location).some((c) => cells.includes(c))));
    },
  };
}

/** A grid of drivers around the center, `stepKm` apart, out to about 30 km. */
const grid = (stepKm: number) =>
  Array.from({ length: 61 * 61 }, (_, i) => {
    const dx = ((i % 61) - 30) * stepKm;
    const dy = (Math.floor(i / 61) - 30) * stepKm;
    return driverAt(`D${i}`, {
      latitude: center.latitude + dy / 111.2,
      longitude: center.longitude + dx / (111.2 * Math.cos((center.latitude * Math.PI) / 180)),
    });
  });

describe('findDriversNear', () => {
  it('should return exactly the nearest drivers within the radius, nearest first', async () => {
    const drivers = grid(0.5);
    const expected = drivers
      .map((d) => ({ code: d.code, km: haversineKm(center, d.location!) }))
      .filter((d) => d.km <= 10)
      .sort((a, b) => a.km - b.km || a.code.localeCompare(b.code))
      .slice(0, 25)
      .map((d) => d.code);
    const near = await findDriversNear(cellsOver(drivers), center, 10, 25);
    expect(near.map((n) => n.driver.code)).toEqual(expected);
  });

  it('should stop at the first ring that holds enough drivers, reading only cells near the pickup', async () => {
    const storage = cellsOver(grid(0.2));
    await findDriversNear(storage, center, 40, 10);
    expect(storage.asked.every((c) => c.startsWith('a'))).toBe(true);
  });

  it('should search out to the radius when the area is sparse, and find nothing beyond it', async () => {
    const far = driverAt('FAR', { latitude: center.latitude + 0.5, longitude: center.longitude });
    const edge = driverAt('EDGE', { latitude: center.latitude + 0.1, longitude: center.longitude });
    const near = await findDriversNear(cellsOver([far, edge]), center, 15, 10);
    expect(near.map((n) => n.driver.code)).toEqual(['EDGE']);
  });
});
