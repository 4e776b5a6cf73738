import { graphqlClient, isNotFoundError, serviceSigner } from '@rideshare/common';
import { PassengerExistsDocument } from './generated/passengers-operations';

/**
 * Asks the passengers subgraph whether a passenger exists. The trips service never reads the
 * passengers database; it goes through that service's API like any other client (the operation is
 * in passengers.graphql).
 */
export interface PassengerDirectory {
  exists(code: string): Promise<boolean>;
}

export function passengerDirectory(passengersUrl: string, timeoutMs = 5_000): PassengerDirectory {
  const client = graphqlClient({
    service: 'passengers',
    url: passengersUrl,
    timeoutMs,
    sign: serviceSigner('trips'),
  });
  return {
    async exists(code) {
      try {
        return (await client.call(PassengerExistsDocument, { code })).passenger !== null;
      } catch (err) {
        if (isNotFoundError(err)) return false;
        throw err;
      }
    },
  };
}
