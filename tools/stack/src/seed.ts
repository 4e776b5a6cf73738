import { graphqlClient, mintToken, readAuthConfig } from '@rideshare/common';
import {
  SeedDriverDocument,
  SeedPassengerDocument,
  SeedStateDocument,
  type CarInput,
  type GeoPointInput,
} from './generated/seed-operations';

/** A seeded driver: what createDriver takes, plus the place it starts near (for people reading the demo). */
export interface SeedDriver {
  code: string;
  firstName: string;
  lastName: string;
  near: string;
  location: GeoPointInput;
  car: CarInput;
}

// One line a driver, so the roster reads as a table (and is not six copies of one object shape).
const roster = [
  ['AA100', 'James', 'Beaky', 'Microsoft Corporate Office', { latitude: 47.6446, longitude: -122.1362 }],
  ['AA110', 'Rod', 'Snow', 'Hyatt Regency Bellevue', { latitude: 47.6159, longitude: -122.1985 }],
  ['AA120', 'Sam', 'Imada', 'Space Needle', { latitude: 47.6228, longitude: -122.3521 }],
  ['AA130', 'Miranda', 'Algernon', 'Seattle', { latitude: 47.6107, longitude: -122.479 }],
  ['AA140', 'Ahmed', 'Zohawi', 'Bellevue', { latitude: 47.5989, longitude: -122.1901 }],
  ['AA150', 'Jessica', 'Fosterton', 'Redmond', { latitude: 47.6698, longitude: -122.133 }],
] as const;

/** Each roster driver's car; keyed by the roster's codes, so no driver can lack one. */
const cars: Record<(typeof roster)[number][0], CarInput> = {
  AA100: { make: 'Toyota', model: 'Prius', year: 2021, color: 'Silver', licensePlate: 'RS-1001' },
  AA110: { make: 'Honda', model: 'Accord', year: 2020, color: 'Black', licensePlate: 'RS-1102' },
  AA120: { make: 'Tesla', model: 'Model 3', year: 2023, color: 'White', licensePlate: 'RS-1203' },
  AA130: { make: 'Ford', model: 'Fusion', year: 2019, color: 'Blue', licensePlate: 'RS-1304' },
  AA140: { make: 'Hyundai', model: 'Ioniq', year: 2022, color: 'Red', licensePlate: 'RS-1405' },
  AA150: { make: 'Kia', model: 'Niro', year: 2022, color: 'Green', licensePlate: 'RS-1506' },
};

/** The reference scenario's six drivers, placed near its pickup points and destinations. */
export const seedDrivers: SeedDriver[] = roster.map(([code, firstName, lastName, near, location]) => ({
  code,
  firstName,
  lastName,
  near,
  location,
  car: cars[code],
}));

export const seedPassengers = [
  {
    code: 'PX1001',
    firstName: 'Ava',
    lastName: 'Nguyen',
    email: 'ava.nguyen@example.com',
    mobileNumber: '+1 425 555 0101',
  },
  {
    code: 'PX1002',
    firstName: 'Liam',
    lastName: 'Ortiz',
    email: 'liam.ortiz@example.com',
    mobileNumber: '+1 425 555 0102',
  },
  {
    code: 'PX1003',
    firstName: 'Maya',
    lastName: 'Chen',
    email: 'maya.chen@example.com',
    mobileNumber: '+1 206 555 0103',
  },
];

/** The reference client's pickup points and destinations, for examples and demo trips. */
export const places = {
  microsoft: { latitude: 47.6423354, longitude: -122.1391189 },
  hyattBellevue: { latitude: 47.618282, longitude: -122.201035 },
  spaceNeedle: { latitude: 47.62053, longitude: -122.3493 },
  seattle: { latitude: 47.6131746, longitude: -122.4821466 },
  bellevue: { latitude: 47.5963256, longitude: -122.1928181 },
  redmond: { latitude: 47.6721228, longitude: -122.1356409 },
};

/** An admin's Authorization header, minted with this environment's AUTH_JWT_SECRET (local mode). */
export async function adminAuthorization(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ authorization: string }> {
  return {
    authorization: `Bearer ${await mintToken(readAuthConfig(env), { role: 'admin', code: 'ADMIN' })}`,
  };
}

/**
 * Loads the seed data through the gateway when the databases are empty (any existing driver or
 * passenger means someone already has data: leave it alone). Returns what it created. The
 * operations are in seed.graphql; a refusal throws a GraphQLClientError naming the operation.
 */
export async function seedIfEmpty(
  gatewayUrl: string,
  auth?: { authorization: string },
): Promise<{ drivers: number; passengers: number }> {
  const headers = auth ?? (await adminAuthorization());
  const gateway = graphqlClient({
    service: 'gateway',
    url: gatewayUrl,
    timeoutMs: 30_000,
    headers: () => headers,
  });
  const existing = await gateway.call(SeedStateDocument, {});
  const created = { drivers: 0, passengers: 0 };
  if (existing.drivers.length === 0) {
    for (const { near: _near, ...input } of seedDrivers) {
      await gateway.call(SeedDriverDocument, { input });
      created.drivers++;
    }
  }
  if (existing.passengers.length === 0) {
    for (const input of seedPassengers) {
      await gateway.call(SeedPassengerDocument, { input });
      created.passengers++;
    }
  }
  return created;
}
