import { mapLimit } from '@rideshare/common';
import type { TestSystem } from '../testing';
import type { Point, TripInput } from '../trip-testing';

/**
 * The fault suite's own drivers: groups of drivers standing together, far apart from each other and
 * from the seeded drivers (around Boise, ID). A trip of group g starts where its drivers stand, so with
 * a small search radius it is offered exactly the drivers of its group: as many drivers as the group
 * has trips, so every trip can find a free one (the simulator tries the offered drivers in random order)
 * while trips of one group still race for the same drivers.
 */
const BASE: Point = { latitude: 43.6, longitude: -116.2 };
/** About 5.5 km between groups, against a 1-mile search radius. */
const GROUP_SPACING = 0.05;
const COLUMNS = 5;
/** About 330 m: a driver that arrived at the destination is still inside its group's radius. */
const TRIP_LENGTH = 0.003;

export const FLEET_SEARCH_RADIUS_MILES = '1';

export interface FleetGroup {
  index: number;
  source: Point;
  destination: Point;
  driverCodes: string[];
}

export function fleetGroups(groups: number, perGroup: number): FleetGroup[] {
  return Array.from({ length: groups }, (_, index) => {
    const source = {
      latitude: BASE.latitude + GROUP_SPACING * Math.floor(index / COLUMNS),
      longitude: BASE.longitude + GROUP_SPACING * 1.4 * (index % COLUMNS),
    };
    return {
      index,
      source,
      destination: { latitude: source.latitude + TRIP_LENGTH, longitude: source.longitude },
      driverCodes: Array.from({ length: perGroup }, (_, i) => `FLT${index}X${i}`),
    };
  });
}

/** Creates every driver of the fleet at its group's source. */
export async function createFleet(system: TestSystem, groups: FleetGroup[]): Promise<void> {
  const drivers = groups.flatMap((g) => g.driverCodes.map((code) => ({ code, at: g.source })));
  await mapLimit(drivers, 8, async ({ code, at }, i) => {
    const res = await system.query(
      'mutation ($input: CreateDriverInput!) { createDriver(input: $input) { code } }',
      {
        input: {
          code,
          firstName: 'Fault',
          lastName: `Driver ${i}`,
          car: { make: 'Toyota', model: 'Prius', year: 2022, color: 'Grey', licensePlate: `FLT-${i}` },
          location: at,
        },
      },
    );
    if (res.errors) throw new Error(`createDriver ${code}: ${JSON.stringify(res.errors)}`);
  });
}

/** One DEMO trip per driver of each group, from the group's source, spread over the passengers. */
export function fleetTrips(groups: FleetGroup[], passengerCodes: readonly string[]): TripInput[] {
  return groups.flatMap((g) =>
    g.driverCodes.map((_, i) => ({
      passengerCode: passengerCodes[(g.index + i) % passengerCodes.length]!,
      source: g.source,
      destination: g.destination,
      type: 'DEMO' as const,
    })),
  );
}

/**
 * Puts every fleet driver back at its group's source. After a wave the drivers stand at the
 * destination, where a new trip would complete at its first check: with no trip on the road for long,
 * the next wave's fault would land only when its trips were nearly done.
 */
export async function returnFleet(system: TestSystem, groups: FleetGroup[]): Promise<void> {
  const drivers = groups.flatMap((g) => g.driverCodes.map((code) => ({ code, at: g.source })));
  await mapLimit(drivers, 8, async ({ code, at }) => {
    const res = await system.query(
      'mutation ($code: ID!, $location: GeoPointInput!) { updateDriverLocation(code: $code, location: $location) { code } }',
      { code, location: at },
    );
    if (res.errors) throw new Error(`updateDriverLocation ${code}: ${JSON.stringify(res.errors)}`);
  });
}
