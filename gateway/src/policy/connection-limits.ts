import type { Identity } from '@rideshare/common';
import type { PolicyPlugin } from './plugin';
import { proceed, refuse } from './refusal';

/** graphql-ws close code for a client over its connection limit (4xxx codes are the application's). */
export const TOO_MANY_CONNECTIONS = 4429;

/**
 * WebSocket resources: open connections per identity (in this process) and operations running on
 * one connection. The counting is here, with its limits and messages, so the transport only reports
 * connections opening and closing; HTTP has no connections that outlive a request and never calls these.
 */
export function useConnectionLimits(limits: {
  maxConnectionsPerIdentity: number;
  maxOperationsPerConnection: number;
}): PolicyPlugin {
  const open = new Map<string, number>();
  const keyOf = (identity: Identity) => `${identity.role}:${identity.code}`;
  return {
    name: 'connection-limits',
    onConnect(identity) {
      const key = keyOf(identity);
      const count = open.get(key) ?? 0;
      if (count >= limits.maxConnectionsPerIdentity)
        return refuse({
          code: 'TOO_MANY_CONNECTIONS',
          message: `Too many connections for ${key} (max ${limits.maxConnectionsPerIdentity})`,
          httpStatus: 429,
          closeCode: TOO_MANY_CONNECTIONS,
        });
      open.set(key, count + 1);
      return proceed();
    },
    onDisconnect(identity) {
      const key = keyOf(identity);
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    },
    onConnectionOperation: (running) =>
      running >= limits.maxOperationsPerConnection
        ? refuse({
            code: 'TOO_MANY_SUBSCRIPTIONS',
            message: `Too many operations on this connection (max ${limits.maxOperationsPerConnection})`,
            httpStatus: 429,
          })
        : proceed(),
  };
}
