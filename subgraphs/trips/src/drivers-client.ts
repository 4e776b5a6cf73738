import { serviceHeaders, type LatLon } from '@rideshare/common';

export interface DriverSummary {
  code: string;
  location: LatLon | null;
  car: { make: string; model: string; licensePlate: string };
}

/**
 * The trips service's view of the drivers service, through its public GraphQL API (never its
 * database). Errors are thrown so callers retry: a driver lookup must not be mistaken for "none".
 */
export function driversClient(url: string, timeoutMs = 5_000) {
  const call = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...serviceHeaders('trips') },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json()) as {
      data?: T;
      errors?: Array<{ message: string; extensions?: { code?: string } }>;
    };
    if (body.errors?.length || !body.data) {
      const err = new Error(`drivers service: ${body.errors?.[0]?.message ?? `HTTP ${res.status}`}`);
      (err as Error & { code?: string }).code = body.errors?.[0]?.extensions?.code;
      throw err;
    }
    return body.data;
  };
  return {
    async near(location: LatLon, radiusKm: number, limit: number): Promise<string[]> {
      const data = await call<{ driversNear: Array<{ code: string }> }>(
        'query ($location: GeoPointInput!, $radiusKm: Float!, $limit: Int) { driversNear(location: $location, radiusKm: $radiusKm, limit: $limit) { code } }',
        { location, radiusKm, limit },
      );
      return data.driversNear.map((d) => d.code);
    },
    /** Null when the driver no longer exists. */
    async get(code: string): Promise<DriverSummary | null> {
      try {
        const data = await call<{ driver: DriverSummary }>(
          'query ($code: ID!) { driver(code: $code) { code location { latitude longitude } car { make model licensePlate } } }',
          { code },
        );
        return data.driver;
      } catch (err) {
        if ((err as { code?: string }).code === 'NOT_FOUND') return null;
        throw err;
      }
    },
    async setAvailability(code: string, isAcceptingRides: boolean): Promise<void> {
      try {
        await call(
          'mutation ($code: ID!, $on: Boolean!) { setDriverAvailability(code: $code, isAcceptingRides: $on) { code } }',
          { code, on: isAcceptingRides },
        );
      } catch (err) {
        if ((err as { code?: string }).code !== 'NOT_FOUND') throw err; // a deleted driver needs nothing
      }
    },
  };
}

export type DriversClient = ReturnType<typeof driversClient>;
