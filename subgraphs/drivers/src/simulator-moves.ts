import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import {
  authorize,
  forbidden,
  graphqlClient,
  isSelf,
  isSimulator,
  requireIdentity,
  serviceSigner,
  type Identity,
} from '@rideshare/common';
import { readDriversConfig } from './config';
import type { Context } from './context';

interface CurrentTripTypes {
  _entities: Array<{ currentTrip?: { type: string } | null } | null>;
}
interface CurrentTripTypesVariables {
  representations: Array<{ __typename: 'Driver'; code: string }>;
}

// Typed by hand, as in trips-client.ts: `_entities` exists only in the schema the trips subgraph serves.
const CurrentTripTypesDocument: TypedDocumentNode<CurrentTripTypes, CurrentTripTypesVariables> = parse(`
  query CurrentTripTypes($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Driver {
        currentTrip {
          type
        }
      }
    }
  }
`);

/** Whether a driver is on a DEMO trip now: only the trips service knows, so it is asked (as drivers). */
export type DemoTripCheck = (driverCode: string) => Promise<boolean>;

export function demoTripCheck(tripsUrl: string, timeoutMs = 5_000): DemoTripCheck {
  const client = graphqlClient({
    service: 'trips',
    url: tripsUrl,
    timeoutMs,
    sign: serviceSigner('drivers'),
  });
  return async (driverCode) => {
    const representations = [{ __typename: 'Driver' as const, code: driverCode }];
    const { _entities: entities } = await client.call(CurrentTripTypesDocument, { representations });
    return entities[0]?.currentTrip?.type === 'DEMO';
  };
}

// Built on the first simulator move, from the TRIPS_URL the service validated at start: the request
// context is wired elsewhere, and only the simulator's moves need this question.
let shared: { url: string; check: DemoTripCheck } | undefined;
function sharedDemoTripCheck(): DemoTripCheck {
  const { tripsUrl } = readDriversConfig();
  if (shared?.url !== tripsUrl) shared = { url: tripsUrl, check: demoTripCheck(tripsUrl) };
  return shared.check;
}

/**
 * Who may move a driver: admins and services, the driver, and the simulator while the driver is on a
 * DEMO trip (it drives demo trips; a real trip's driver is never its to move). FORBIDDEN otherwise.
 */
export async function authorizeDriverMove(
  ctx: Context,
  code: string,
  isOnDemoTrip?: DemoTripCheck,
): Promise<Identity> {
  const caller = requireIdentity(ctx.identity);
  if (!isSimulator(caller)) return authorize(caller, `move driver ${code}`, isSelf('driver', code));
  if (await (isOnDemoTrip ?? sharedDemoTripCheck())(code)) return caller;
  throw forbidden(`${caller.role} ${caller.code} may not move driver ${code}: not on a DEMO trip`);
}
