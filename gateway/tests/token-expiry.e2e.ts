import crypto from 'node:crypto';
import { seedIfEmpty, startTestSystem, tripsApi, type TestSystem } from '@rideshare/testing';
import { RawSocket, craftToken, errorsOf, gql } from './security-helpers';

/**
 * A WebSocket lives as long as the token it signed in with: the gateway closes it with 4403 when
 * the token expires, live subscriptions included, and leaves connections with valid tokens alone.
 */

const RUN = crypto.randomBytes(3).toString('hex').toUpperCase();
const TRIP_UPDATED = 'subscription ($code: ID!) { tripUpdated(code: $code, afterVersion: 0) { version } }';

describe('WebSocket connections and token expiry', () => {
  let system: TestSystem;
  /** A trip that stays REQUESTED (no workers): tripUpdated replays its first update and stays open. */
  let tripCode: string;
  const sockets: RawSocket[] = [];

  const open = async () => {
    const socket = await RawSocket.open(system.gatewayUrl);
    sockets.push(socket);
    return socket;
  };
  /** Signs in, subscribes to the trip and waits for its first update: a live subscription. */
  const subscribed = async (token: string) => {
    const socket = await open();
    await socket.init(token);
    socket.send({
      id: 'trip',
      type: 'subscribe',
      payload: { query: TRIP_UPDATED, variables: { code: tripCode } },
    });
    expect(await socket.next((m) => m.id === 'trip', 'the first update')).toEqual({
      id: 'trip',
      type: 'next',
      payload: { data: { tripUpdated: { version: 1 } } },
    });
    return socket;
  };

  beforeAll(async () => {
    system = await startTestSystem({}, { workers: false });
    await seedIfEmpty(system.gatewayUrl, await system.adminAuth());
    tripCode = (await tripsApi(system).requestAny()).code;
  });

  afterAll(async () => {
    sockets.forEach((s) => s.terminate());
    await system?.stop();
  });

  it('should close a connection with 4403 once its token expires (~2 s), and not before', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 2;
    const token = await craftToken({ role: 'admin' }, { sub: `EXPIRING${RUN}`, expiresAt });
    const lasting = await subscribed(await craftToken({ role: 'admin' }, { sub: `LASTING${RUN}` }));
    const expiring = await subscribed(token);
    const closedAt = expiring.closed.then((close) => ({ ...close, at: Date.now() }));

    const closed = await Promise.race([
      closedAt,
      new Promise<undefined>((resolve) =>
        setTimeout(() => resolve(undefined), expiresAt * 1000 - Date.now() - 300),
      ),
    ]);
    expect(closed).toBeUndefined(); // still open shortly before the expiry

    const close = await Promise.race([
      closedAt,
      new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error('not closed 3 s after expiry')),
          expiresAt * 1000 - Date.now() + 3_000,
        ),
      ),
    ]);
    expect({ code: close.code, reason: close.reason }).toEqual({
      code: 4403,
      reason: 'Forbidden: token expired',
    });
    expect(close.at).toBeGreaterThanOrEqual(expiresAt * 1000);

    // The other connection, whose token is valid for an hour, is still served.
    lasting.send({ id: 'q', type: 'subscribe', payload: { query: '{ driver(code: "AA100") { code } }' } });
    expect(await lasting.next((m) => m.id === 'q', 'a query on the lasting connection')).toEqual({
      id: 'q',
      type: 'next',
      payload: { data: { driver: { code: 'AA100' } } },
    });

    // The expired token opens nothing again: HTTP refuses it, and so does a new connection_init.
    const res = await gql(system.gatewayUrl, '{ __typename }', undefined, token);
    expect(res.status).toBe(401);
    expect(errorsOf(res)[0]?.message).toBe('Invalid token (expired)');
    const again = await open();
    again.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    expect((await again.closedWithin()).code).toBe(4403);
  });
});
