import { envInt, envUrl, mintToken, readAuthConfig, type LatLon, type Logger } from '@rideshare/common';
import { runTripEventConsumer } from '../consumer';
import type { TripEventEnvelope, TripSnapshot } from '../contracts';
import { runWorker } from '../worker';

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

/** Runs an operation through the public gateway as the given driver (like that driver's app). */
type Call = (
  driverCode: string,
  query: string,
  variables: Record<string, unknown>,
) => Promise<{ errors?: Array<{ message: string; extensions?: { code?: string } }> }>;

/**
 * The simulator signs in as each driver it drives, with tokens it mints from AUTH_JWT_SECRET (local
 * and test set-ups; with a JWKS identity provider it would get driver credentials from there).
 */
function gatewayCall(url: string): Call {
  const auth = readAuthConfig();
  const tokens = new Map<string, { token: Promise<string>; expires: number }>();
  const tokenFor = (driverCode: string) => {
    const cached = tokens.get(driverCode);
    if (cached && cached.expires > Date.now()) return cached.token;
    const token = mintToken(auth, { role: 'driver', code: driverCode }, '1h');
    tokens.set(driverCode, { token, expires: Date.now() + 50 * 60_000 });
    return token;
  };
  return async (driverCode, query, variables) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(driverCode)}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(10_000),
    });
    return (await res.json()) as Awaited<ReturnType<Call>>;
  };
}

const MOVE =
  'mutation ($code: ID!, $location: GeoPointInput!) { updateDriverLocation(code: $code, location: $location) { code } }';
const ACCEPT =
  'mutation ($code: ID!, $driverCode: ID!) { acceptTrip(code: $code, driverCode: $driverCode) { code } }';
/** Answers to acceptTrip that no retry changes. */
const DEFINITE_REFUSALS = ['CONFLICT', 'NOT_FOUND', 'FORBIDDEN', 'BAD_USER_INPUT'];

/**
 * Drives DEMO trips like a driver app would, through the public API: accepts the offer with one of
 * the offered drivers, then moves that driver one step along the route after every monitor pass.
 * Stateless: each step follows from the event, so a restart or a redelivery just repeats a move.
 */
export async function simulate(
  call: Call,
  event: TripEventEnvelope,
  steps: number,
  log: Logger,
): Promise<void> {
  const { trip } = event.data;
  if (trip.type !== 'DEMO') return;
  const move = async (location: LatLon) => {
    const res = await call(trip.driverCode ?? '', MOVE, { code: trip.driverCode, location });
    if (res.errors) throw new Error(`moving driver ${trip.driverCode}: ${res.errors[0]?.message}`);
  };
  switch (event.data.event) {
    case 'DRIVERS_NOTIFIED': {
      const candidates = [...trip.availableDriverCodes].sort(() => Math.random() - 0.5);
      for (const driverCode of candidates) {
        const res = await call(driverCode, ACCEPT, { code: trip.code, driverCode });
        if (!res.errors) return log.info('demo driver accepted', { trip: trip.code, driverCode });
        const { message, extensions } = res.errors[0] ?? { message: 'no error message' };
        if (extensions?.code === 'CONFLICT' && /already on trip/.test(message)) continue; // that driver is busy
        if (DEFINITE_REFUSALS.includes(extensions?.code ?? '')) return; // the trip itself is gone or taken
        // Anything else (e.g. the trips subgraph unreachable) is transient: the consumer retries the event.
        throw new Error(`accepting trip ${trip.code} for ${driverCode}: ${message}`);
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
  void runWorker('simulator', 4102, async ({ kafka, producer, log }) => {
    const call = gatewayCall(envUrl('GATEWAY_URL', 'http://127.0.0.1:4000/graphql', ['http:', 'https:']));
    const steps = envInt('SIM_ROUTE_STEPS', 5, { min: 1, max: 1000 });
    const consumer = await runTripEventConsumer({
      kafka,
      producer,
      groupId: 'simulator',
      log,
      handle: (event) => simulate(call, event, steps, log),
    });
    return { ready: () => consumer.isRunning(), closers: [() => consumer.stop()] };
  });
}
