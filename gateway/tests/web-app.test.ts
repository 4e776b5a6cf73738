import fs from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { closeServer, ConfigError, createHttpServer, readAuthConfig } from '@rideshare/common';
import { readWebClientConfig } from '../src/auth/client-config';
import { webAppRoute } from '../src/web-app';

// The gateway's serving of the built web app (a real node:http server over a folder laid out as
// Vite builds it), and how it tells the app to sign in.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-app-'));
const INDEX =
  '<!doctype html><div id="app"></div><script type="module" src="/app/assets/index-abc.js"></script>';
fs.mkdirSync(path.join(dir, 'assets'));
fs.writeFileSync(path.join(dir, 'index.html'), INDEX);
const SCRIPT = 'console.log("app");'.repeat(50);
fs.writeFileSync(path.join(dir, 'assets', 'index-abc.js'), SCRIPT);
fs.writeFileSync(path.join(dir, 'assets', 'index-abc.js.gz'), gzipSync(SCRIPT));

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = createHttpServer(
    { '/graphql': (_req, res) => void res.end('graphql') },
    webAppRoute(dir, { connectTo: [] }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await closeServer(server);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the web app under /app/', () => {
  it("answers the app's own paths with index.html, never cached, under a strict CSP", async () => {
    for (const page of ['/app/', '/app/trip', '/app/drivers?page=2']) {
      const res = await fetch(base + page);
      expect({ page, status: res.status }).toEqual({ page, status: 200 });
      expect(await res.text()).toBe(INDEX);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
  });

  it('serves hashed assets for a year, gzipped to clients that take gzip', async () => {
    const res = await fetch(`${base}/app/assets/index-abc.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(await res.text()).toBe(SCRIPT); // fetch inflates it
    const missing = await fetch(`${base}/app/assets/index-old.js`);
    expect(missing.status).toBe(404);
  });

  it('redirects /app to /app/, refuses writes, and leaves other paths to their routes', async () => {
    const bare = await fetch(`${base}/app`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([308, '/app/']);
    const post = await fetch(`${base}/app/trip`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
    expect((await fetch(`${base}/app/../graphql`)).status).not.toBe(500);
    expect(await (await fetch(`${base}/graphql`)).text()).toBe('graphql');
  });
});

describe("the web client's sign-in configuration", () => {
  const local = readAuthConfig({ APP_MODE: 'local' });
  const jwks = readAuthConfig({
    AUTH_JWKS_URL: 'https://id.example.com/jwks',
    AUTH_ISSUER: 'https://id.example.com',
    AUTH_AUDIENCE: 'rideshare',
  });

  it('is the local sign-in in local mode, OpenID Connect with a provider, and none otherwise', () => {
    expect(readWebClientConfig({}, 'local', local).signIn).toEqual({ signIn: 'local' });
    expect(readWebClientConfig({}, 'production', { secret: 'x'.repeat(32) }).signIn).toEqual({
      signIn: 'none',
    });
    expect(readWebClientConfig({}, 'local', jwks).signIn).toEqual({ signIn: 'none' });
    const oidc = { WEB_OIDC_AUTHORITY: 'https://id.example.com', WEB_OIDC_CLIENT_ID: 'rideshare-web' };
    expect(readWebClientConfig(oidc, 'production', jwks).signIn).toEqual({
      signIn: 'oidc',
      authority: 'https://id.example.com',
      clientId: 'rideshare-web',
      scope: 'openid profile',
    });
  });

  it('names the setting that is wrong', () => {
    const cases: Array<[NodeJS.ProcessEnv, string]> = [
      [{ GATEWAY_WEB_DIR: os.tmpdir() }, 'GATEWAY_WEB_DIR'],
      [{ WEB_OIDC_AUTHORITY: 'https://id.example.com' }, 'WEB_OIDC_CLIENT_ID'],
      [{ WEB_OIDC_AUTHORITY: 'not a url', WEB_OIDC_CLIENT_ID: 'c' }, 'WEB_OIDC_AUTHORITY'],
    ];
    for (const [env, name] of cases) {
      expect(() => readWebClientConfig(env, 'production', jwks)).toThrow(ConfigError);
      expect(() => readWebClientConfig(env, 'production', jwks)).toThrow(name);
    }
    // A provider's tokens are verified with AUTH_JWKS_URL: without it the app could sign in to nothing.
    expect(() =>
      readWebClientConfig(
        { WEB_OIDC_AUTHORITY: 'https://id.example.com', WEB_OIDC_CLIENT_ID: 'c' },
        'local',
        local,
      ),
    ).toThrow('needs AUTH_JWKS_URL');
  });
});
