import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A port free on 127.0.0.1 right now, for a service whose address must be known before it starts
 * (e.g. a gateway named in an identity provider's redirect URI).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
