import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { graphqlClient, serviceSigner } from '@rideshare/common';

interface CurrentPassengers {
  _entities: Array<{ currentTrip?: { passenger: { code: string } } | null } | null>;
}
interface CurrentPassengersVariables {
  representations: Array<{ __typename: 'Driver'; code: string }>;
}

// Typed by hand: codegen checks documents against an SDL, and `_entities` exists only in the schema
// buildSubgraphSchema serves. The client still checks every reply against this selection.
const CurrentPassengersDocument: TypedDocumentNode<CurrentPassengers, CurrentPassengersVariables> = parse(`
  query CurrentPassengers($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Driver {
        currentTrip {
          passenger {
            code
          }
        }
      }
    }
  }
`);

/**
 * Asks the trips subgraph who rides with each driver now, through its public API (never its
 * database), as the drivers service.
 */
export interface TripsDirectory {
  /** The passenger of each driver's current trip, or null; one result per code, in order. */
  currentPassengers(driverCodes: readonly string[]): Promise<Array<string | null>>;
}

export function tripsDirectory(tripsUrl: string, timeoutMs = 5_000): TripsDirectory {
  const client = graphqlClient({
    service: 'trips',
    url: tripsUrl,
    timeoutMs,
    sign: serviceSigner('drivers'),
  });
  return {
    async currentPassengers(driverCodes) {
      const representations = driverCodes.map((code) => ({ __typename: 'Driver' as const, code }));
      const { _entities: entities } = await client.call(CurrentPassengersDocument, { representations });
      if (entities.length !== driverCodes.length)
        throw new Error(`trips service answered ${entities.length} drivers for ${driverCodes.length}`);
      return entities.map((e) => e?.currentTrip?.passenger.code ?? null);
    },
  };
}
