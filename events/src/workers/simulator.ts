import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  envInt,
  envUrl,
  GraphQLClientError,
  graphqlClient,
  PermanentError,
  type LatLon,
  type Logger,
} from '@rideshare/common';
import { runTripEventConsumer } from '../consumer';
import type { TripEventEnvelope, TripSnapshot } from '../contracts';
import { AcceptTripDocument, MoveDriverDocument } from '../generated/simulator-operations';
import { runWorker } from '../worker';
import { readSimulatorToken } from './simulator-credential';

/** The route as `steps` evenly spaced points after the source, the last one the destination. */
export function routePoint(
  trip: Pick<TripSnapshot, 'source' | 'destination'>,
  step: number,
  steps: number,
): LatLon {
  const t = Math.min(1, Math.max(0, step / steps));
  if (t === 1) return trip.destination;
  return {
    latitude: trip.source.latitude + (trip.destination.latitude - trip.source.latitude) * t,
    longitude: trip.source.longitude + (trip.destination.longitude - trip.source.longitude) * t,
  };
}

/**
 * Runs an operation through the public gateway as the simulator (like a driver's app would, on behalf
 * of the offered driver). The simulator reads nothing from the data: a call that returns succeeded,
 * one that throws did not.
 */
export type GatewayCall = <TVariables>(
  document: TypedDocumentNode<unknown, TVariables>,
  variables: NoInfer<TVariables>,
) => Promise<unknown>;

/** Calls with the simulator's own token: it may accept DEMO trips and move their drivers, nothing else. */
function gatewayCall(url: string, token: () => string): GatewayCall {
  const client = graphqlClient({
    service: 'gateway',
    url,
    timeoutMs: 10_000,
    headers: () => ({ authorization: `Bearer ${token()}` }),
  });
  return (document, variables) => client.call(document, variables);
}

/** The driver is busy with another trip: the next offered driver may accept instead. */
const isDriverBusy = (err: GraphQLClientError) =>
  err.errors.some((e) => e.extensions?.code === 'CONFLICT' && /already on trip/.test(e.message));

/**
 * Drives DEMO trips like a driver app would, through the public API and as its own principal
 * (role simulator): accepts the offer for one of the offered drivers, then moves that driver one step
 * along the route after every monitor pass. Stateless: each step follows from the event, so a restart
 * or a redelivery just repeats a move.
 */
export async function simulate(
  call: GatewayCall,
  event: TripEventEnvelope,
  steps: number,
  log: Logger,
): Promise<void> {
  const { trip } = event.data;
  if (trip.type !== 'DEMO') return;
  const move = async (location: LatLon) => {
    // A moving trip always has a driver; an event without one is unusable, not worth retrying.
    if (!trip.driverCode) throw new PermanentError(`trip ${trip.code} has no driver to move`);
    try {
      await call(MoveDriverDocument, { code: trip.driverCode, location });
    } catch (err) {
      // The simulator may move a driver only while on a DEMO trip: a late or redelivered move after
      // the trip ended is refused, and there is nothing left to do for it.
      if (!(err instanceof GraphQLClientError) || err.code !== 'FORBIDDEN') throw err;
      log.info('demo driver not moved', {
        trip: trip.code,
        driverCode: trip.driverCode,
        reason: err.message,
      });
    }
  };
  switch (event.data.event) {
    case 'DRIVERS_NOTIFIED': {
      const candidates = [...trip.availableDriverCodes].sort(() => Math.random() - 0.5);
      for (const driverCode of candidates) {
        try {
          await call(AcceptTripDocument, { code: trip.code, driverCode });
          return log.info('demo driver accepted', { trip: trip.code, driverCode });
        } catch (err) {
          // Transient failures (e.g. the trips subgraph unreachable) throw: the consumer retries the event.
          if (!(err instanceof GraphQLClientError) || err.kind !== 'permanent') throw err;
          if (isDriverBusy(err)) continue;
          // Any other refusal is final: the trip itself is gone, taken or not ours to accept.
          const routine = err.code === 'CONFLICT' || err.code === 'NOT_FOUND';
          return log[routine ? 'info' : 'warn']('demo trip not accepted', {
            trip: trip.code,
            driverCode,
            reason: err.message,
          });
        }
      }
      return;
    }
    case 'DRIVER_ASSIGNED':
      return move(trip.source);
    case 'TRIP_STARTED':
    case 'TRIP_RUNNING':
      // Past the last step the driver already stands at the destination: another move changes nothing.
      if (trip.monitorIterations > steps) return;
      return move(routePoint(trip, trip.monitorIterations, steps));
    default:
      return;
  }
}

if (require.main === module) {
  void runWorker('simulator', 4102, {
    config: (env) => ({
      call: gatewayCall(
        envUrl('GATEWAY_URL', 'http://127.0.0.1:4000/graphql', ['http:', 'https:'], env),
        readSimulatorToken(env),
      ),
      steps: envInt('SIM_ROUTE_STEPS', 5, { min: 1, max: 1000 }, env),
    }),
    setup: async ({ kafka, producer, log }, { call, steps }) => {
      const consumer = await runTripEventConsumer({
        kafka,
        producer,
        groupId: 'simulator',
        log,
        handle: (event) => simulate(call, event, steps, log),
      });
      return { ready: () => consumer.isRunning(), closers: [() => consumer.stop()] };
    },
  });
}
