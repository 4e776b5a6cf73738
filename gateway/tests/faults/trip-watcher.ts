import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { TestSystem, TripWatcher } from '@rideshare/testing';

/** What a passenger's app shows: the update, the driver's name and the passenger, through federation. */
const TRIP_UPDATED = `subscription ($code: ID!, $afterVersion: Int) {
  tripUpdated(code: $code, afterVersion: $afterVersion) {
    event version trip { code status driver { code firstName } passenger { code email } }
  }
}`;

interface Update {
  event: string;
  version: number;
}

const TERMINAL = new Set(['TRIP_COMPLETED', 'TRIP_ABORTED']);

/** Between a lost connection and the next attempt (the gateway may be restarting). */
const RETRY_MS = 500;

/** A short line for a GraphQL error list, a close event or an error (they go into the fault report). */
function describe(err: unknown): string {
  const text = (() => {
    if (Array.isArray(err)) {
      const first = err[0] as { message?: string; extensions?: { code?: string } } | undefined;
      return `${first?.extensions?.code ?? 'error'} ${first?.message ?? ''}`;
    }
    if (err instanceof Error) return err.message;
    const close = err as { code?: number; reason?: string };
    if (typeof close.code === 'number') return `socket closed ${close.code} ${close.reason ?? ''}`;
    return String(err);
  })();
  return text.trim().slice(0, 160);
}

/**
 * Subscribes to one trip's updates and keeps doing so until the stream completes: whenever the
 * connection is lost or the subscription fails, it subscribes again on a new connection with
 * `afterVersion` = the last version it saw, as a client resuming after a gateway restart does. The
 * client's own retry is off: it would resend the first `afterVersion` and replay what was seen.
 */
export function watchTrip(
  gatewayUrl: () => string,
  authorization: () => Promise<string>,
  code: string,
): TripWatcher {
  const versions: number[] = [];
  const troubles = new Set<string>();
  let lastEvent: string | undefined;
  let completed = false;
  let stopped = false;
  let subscriptions = 0;
  let client: Client | undefined;

  const subscribeOnce = () =>
    new Promise<'complete' | 'retry'>((resolve) => {
      const afterVersion = versions.reduce((a, b) => Math.max(a, b), 0);
      subscriptions++;
      client = createClient({
        url: gatewayUrl().replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: async () => ({ authorization: await authorization() }),
      });
      client.subscribe<{ tripUpdated: Update | null }>(
        { query: TRIP_UPDATED, variables: { code, afterVersion } },
        {
          next: (result) => {
            const update = result.data?.tripUpdated;
            if (result.errors)
              troubles.add(
                `${update ? 'an update with errors' : 'an update without data'}: ${describe(result.errors)}`,
              );
            if (!update) return;
            versions.push(update.version);
            lastEvent = update.event;
          },
          error: (err) => {
            troubles.add(`subscription failed: ${describe(err)}`);
            resolve('retry');
          },
          complete: () => {
            // The stream ends after the trip's last event; ending before it is a server fault.
            if (!TERMINAL.has(lastEvent ?? '')) troubles.add(`completed after ${lastEvent}`);
            resolve('complete');
          },
        },
      );
    });

  void (async () => {
    while (!stopped) {
      const outcome = await subscribeOnce();
      await client?.dispose();
      if (outcome === 'complete' && !stopped) {
        completed = true;
        return;
      }
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  })();

  return {
    code,
    versions,
    get troubles() {
      return [...troubles];
    },
    get lastEvent() {
      return lastEvent;
    },
    get completed() {
      return completed;
    },
    get subscriptions() {
      return subscriptions;
    },
    stop() {
      stopped = true;
      void client?.dispose();
    },
  };
}

/** Each passenger's bearer token, minted once, for the subscribers of that passenger's trips. */
export function passengerAuthorization(system: Pick<TestSystem, 'token'>) {
  const tokens = new Map<string, Promise<string>>();
  return (passenger: string) => {
    if (!tokens.has(passenger)) tokens.set(passenger, system.token('passenger', passenger));
    return async () => `Bearer ${await tokens.get(passenger)!}`;
  };
}
