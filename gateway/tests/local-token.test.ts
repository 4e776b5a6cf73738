import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, createHttpServer, createTokenVerifier, readAuthConfig } from '@rideshare/common';
import { LOCAL_TOKEN_PATH, LOCAL_TOKEN_TTL_SECONDS, localAuthRoutes } from '../src/auth/local-token';

// The web client's local sign-in, on a real node:http server with the gateway's own route table.

const auth = readAuthConfig({ APP_MODE: 'local' });
const verify = createTokenVerifier(auth);
const servers: http.Server[] = [];

async function serve(...args: Parameters<typeof localAuthRoutes>): Promise<string> {
  const server = createHttpServer(localAuthRoutes(...args));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${LOCAL_TOKEN_PATH}`;
}

const post = (url: string, body: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

afterAll(() => Promise.all(servers.map((s) => closeServer(s))));

describe('local sign-in token', () => {
  it('mints a short-lived token the gateway verifies, for a passenger, a driver or admin', async () => {
    const url = await serve({ mode: 'local', auth });
    for (const identity of [
      { role: 'passenger', code: 'PX1001' },
      { role: 'driver', code: 'AA100' },
      { role: 'admin', code: 'ADMIN' },
    ] as const) {
      const res = await post(url, JSON.stringify(identity));
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = (await res.json()) as { token: string; expiresIn: number };
      expect(body.expiresIn).toBe(LOCAL_TOKEN_TTL_SECONDS);
      const verified = await verify(`Bearer ${body.token}`);
      expect(verified.identity).toEqual(identity);
      const lifetime = verified.expiresAt - Date.now();
      expect(lifetime).toBeGreaterThan(0);
      expect(lifetime).toBeLessThanOrEqual(LOCAL_TOKEN_TTL_SECONDS * 1000);
    }
  });

  it('refuses bad input naming the field, other roles, other methods', async () => {
    const url = await serve({ mode: 'local', auth });
    const cases: Array<[string, number, string]> = [
      ['{"role":"service","code":"X"}', 400, '"role"'],
      ['{"role":"simulator","code":"X"}', 400, '"role"'],
      ['{"role":"passenger","code":""}', 400, '"code" must not be empty'],
      ['{"role":"passenger","code":"a b"}', 400, '"code" may only contain'],
      ['{"role":"passenger","code":"P1","extra":1}', 400, 'extra'],
      ['not json', 400, 'must be JSON'],
      [JSON.stringify({ role: 'admin', code: 'x'.repeat(2_000) }), 413, 'exceeds'],
    ];
    for (const [body, status, message] of cases) {
      const res = await post(url, body);
      expect({ body, status: res.status }).toEqual({ body, status });
      expect(JSON.stringify(await res.json())).toContain(message.replaceAll('"', '\\"'));
    }
    const put = await fetch(url, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
  });

  it('lists who one can sign in as (GET), never cached', async () => {
    const people = [{ role: 'passenger', code: 'PX1001', name: 'Ava Nguyen', detail: '' }] as const;
    const url = await serve({ mode: 'local', auth }, async () => [...people]);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ people });
  });

  it('does not exist in production mode, nor with an external identity provider', async () => {
    const production = await serve({ mode: 'production', auth });
    expect((await post(production, '{"role":"admin","code":"ADMIN"}')).status).toBe(404);
    const jwks = await serve({
      mode: 'local',
      auth: { jwksUrl: 'https://idp.example/jwks', issuer: 'i', audience: 'a' },
    });
    expect((await post(jwks, '{"role":"admin","code":"ADMIN"}')).status).toBe(404);
  });
});
