import { serviceHeaders } from '@rideshare/common';

/**
 * Asks the passengers subgraph whether a passenger exists. The trips service never reads the
 * passengers database; it goes through that service's API like any other client.
 */
export interface PassengerDirectory {
  exists(code: string): Promise<boolean>;
}

interface PassengerReply {
  data?: { passenger: { code: string } | null } | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export function passengerDirectory(passengersUrl: string, timeoutMs = 5_000): PassengerDirectory {
  return {
    async exists(code) {
      const res = await fetch(passengersUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...serviceHeaders('trips') },
        body: JSON.stringify({
          query: 'query ($code: ID!) { passenger(code: $code) { code } }',
          variables: { code },
        }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const reply = (await res.json()) as PassengerReply;
      if (reply.data?.passenger) return true;
      if (reply.errors?.every((e) => e.extensions?.code === 'NOT_FOUND')) return false;
      throw new Error(
        `passengers service could not be asked about "${code}": ${reply.errors?.[0]?.message ?? res.status}`,
      );
    },
  };
}
