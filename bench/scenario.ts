/**
 * What the gateway benchmark sends: a small data set seeded through the gateway, and one
 * cross-subgraph query whose every answer is checked against what was seeded.
 */
import type { TestSystem } from '@rideshare/testing';
import type { LoadRequest } from './load';

export const SEED = { drivers: 5, passengers: 10, trips: 50 };

/**
 * Touches all three subgraphs: trip (trips) -> passenger name/email (passengers) and the passenger's
 * trips (trips); driver (drivers) -> currentTrip and trips (trips). Two parallel root fetches, then
 * two entity fetches.
 */
export const BENCH_QUERY = `query BenchTrip($code: ID!, $driver: ID!) {
  trip(code: $code) {
    code status requestedAt
    source { latitude longitude }
    passenger { code firstName email trips(limit: 5) { code status } }
  }
  driver(code: $driver) {
    code firstName
    car { make model licensePlate }
    currentTrip { code status }
    trips(limit: 3) { code }
  }
}`;

export interface Seeded {
  drivers: Array<{ code: string; licensePlate: string }>;
  passengers: Array<{ code: string; firstName: string; email: string }>;
  trips: Array<{ code: string; passenger: number }>;
}

interface BenchData {
  trip?: {
    code: string;
    passenger?: { code: string; firstName: string; email: string; trips: unknown[] };
  } | null;
  driver?: { code: string; car?: { licensePlate: string }; trips: unknown[] } | null;
}

async function mustQuery<T>(system: TestSystem, query: string, variables: Record<string, unknown>) {
  const res = await system.query<T>(query, variables);
  if (res.errors?.length || !res.data) throw new Error(`seeding failed: ${JSON.stringify(res.errors)}`);
  return res.data;
}

export async function seed(system: TestSystem): Promise<Seeded> {
  const drivers: Seeded['drivers'] = [];
  for (let i = 0; i < SEED.drivers; i++) {
    const data = await mustQuery<{ createDriver: { code: string; car: { licensePlate: string } } }>(
      system,
      `mutation($input: CreateDriverInput!) { createDriver(input: $input) { code car { licensePlate } } }`,
      {
        input: {
          firstName: `Driver${i}`,
          lastName: 'Bench',
          car: { make: 'Toyota', model: 'Prius', year: 2020, color: 'white', licensePlate: `BENCH-${i}` },
          location: { latitude: 52.37 + i / 100, longitude: 4.89 },
        },
      },
    );
    drivers.push({ code: data.createDriver.code, licensePlate: data.createDriver.car.licensePlate });
  }
  const passengers: Seeded['passengers'] = [];
  for (let i = 0; i < SEED.passengers; i++) {
    const input = { firstName: `Passenger${i}`, lastName: 'Bench', email: `bench-${i}@example.com` };
    const data = await mustQuery<{ registerPassenger: { code: string } }>(
      system,
      `mutation($input: RegisterPassengerInput!) { registerPassenger(input: $input) { code } }`,
      { input },
    );
    passengers.push({ code: data.registerPassenger.code, firstName: input.firstName, email: input.email });
  }
  const trips: Seeded['trips'] = [];
  for (let i = 0; i < SEED.trips; i++) {
    const passenger = i % passengers.length;
    const data = await mustQuery<{ requestTrip: { code: string } }>(
      system,
      `mutation($input: RequestTripInput!) { requestTrip(input: $input) { code } }`,
      {
        input: {
          passengerCode: passengers[passenger]?.code,
          source: { latitude: 52.3 + i / 1000, longitude: 4.8 },
          destination: { latitude: 52.4, longitude: 4.9 + i / 1000 },
        },
      },
    );
    trips.push({ code: data.requestTrip.code, passenger });
  }
  return { drivers, passengers, trips };
}

/** The i-th request cycles through the seeded trips and drivers and knows what it must get back. */
export function requestFor(seeded: Seeded) {
  const tripsPerPassenger = Math.ceil(SEED.trips / SEED.passengers);
  const expectedTrips = Math.min(5, tripsPerPassenger);
  return (i: number): LoadRequest => {
    const trip = seeded.trips[i % seeded.trips.length]!;
    const passenger = seeded.passengers[trip.passenger]!;
    const driver = seeded.drivers[i % seeded.drivers.length]!;
    return {
      body: JSON.stringify({ query: BENCH_QUERY, variables: { code: trip.code, driver: driver.code } }),
      check(response: unknown): string | null {
        const { data, errors } = response as { data?: BenchData | null; errors?: Array<{ message: string }> };
        if (errors?.length) return `errors: ${errors[0]?.message ?? ''}`;
        const t = data?.trip;
        const d = data?.driver;
        if (t?.code !== trip.code) return 'wrong or missing trip';
        if (t.passenger?.code !== passenger.code || t.passenger.firstName !== passenger.firstName)
          return 'wrong or missing passenger (passengers subgraph)';
        if (t.passenger.email !== passenger.email) return 'wrong passenger email';
        if (t.passenger.trips.length !== expectedTrips) return 'wrong passenger.trips (trips subgraph)';
        if (d?.code !== driver.code || d.car?.licensePlate !== driver.licensePlate)
          return 'wrong or missing driver (drivers subgraph)';
        if (!Array.isArray(d.trips)) return 'missing driver.trips (trips subgraph)';
        return null;
      },
    };
  };
}
