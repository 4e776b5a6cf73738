import { graphqlClient, isNotFoundError, serviceSigner, type LatLon } from '@rideshare/common';
import {
  DriverSummaryDocument,
  DriversNearDocument,
  SetDriverAvailabilityDocument,
} from './generated/drivers-operations';

export interface DriverSummary {
  code: string;
  location: LatLon | null;
  car: { make: string; model: string; licensePlate: string };
}

/**
 * The trips service's view of the drivers service, through its public GraphQL API (never its
 * database); the operations are in drivers-client.graphql. Errors are thrown (GraphQLClientError,
 * permanent or transient) so callers retry: a driver lookup must not be mistaken for "none".
 */
export function driversClient(url: string, timeoutMs = 5_000) {
  const client = graphqlClient({
    service: 'drivers',
    url,
    timeoutMs,
    sign: serviceSigner('trips'),
  });
  return {
    async near(location: LatLon, radiusKm: number, limit: number): Promise<string[]> {
      const data = await client.call(DriversNearDocument, { location, radiusKm, limit });
      return data.driversNear.map((d) => d.code);
    },
    /** Null when the driver no longer exists. */
    async get(code: string): Promise<DriverSummary | null> {
      try {
        return (await client.call(DriverSummaryDocument, { code })).driver;
      } catch (err) {
        if (isNotFoundError(err)) return null;
        throw err;
      }
    },
    async setAvailability(code: string, isAcceptingRides: boolean): Promise<void> {
      try {
        await client.call(SetDriverAvailabilityDocument, { code, isAcceptingRides });
      } catch (err) {
        if (!isNotFoundError(err)) throw err; // a deleted driver needs nothing
      }
    },
  };
}

export type DriversClient = ReturnType<typeof driversClient>;
