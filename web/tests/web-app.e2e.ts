/**
 * The web client in a real browser (Debian's chromium under playwright-core) against the real
 * system: the gateway serves the built app under /app/ on its own origin, the subgraphs and the
 * lifecycle workers run on the stack's Kafka, MongoDB and Redis. Each test saves its final page as
 * a screenshot (.artifacts/screenshots).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Page, WebSocketRoute } from 'playwright-core';
import { mintToken, readAuthConfig } from '@rideshare/common';
import {
  ensureWebBuild,
  freePort,
  startOidcProvider,
  type OidcProvider,
  startService,
  type RunningService,
  type TestSystem,
} from '@rideshare/testing';
import {
  expectAccessible,
  finalScreenshot,
  signIn,
  startWebSystem,
  subscribed,
  timeline,
  type WebSystem,
} from './browser-helpers';

const STEP_TIMEOUT_MS = 60_000;
const done = (page: Page, step: string) =>
  page.locator(`[data-testid="step-${step}"].done`).waitFor({ timeout: STEP_TIMEOUT_MS });

/** The `afterVersion` of a graphql-ws subscribe message for tripUpdated, or undefined for anything else. */
function tripUpdatedAfterVersion(message: string): number | undefined {
  const parsed: unknown = JSON.parse(message);
  if (typeof parsed !== 'object' || parsed === null || !('type' in parsed) || parsed.type !== 'subscribe')
    return undefined;
  const payload = 'payload' in parsed ? parsed.payload : undefined;
  if (typeof payload !== 'object' || payload === null || !('query' in payload) || !('variables' in payload))
    return undefined;
  if (typeof payload.query !== 'string' || !payload.query.includes('tripUpdated')) return undefined;
  const variables = payload.variables;
  const after =
    typeof variables === 'object' && variables !== null && 'afterVersion' in variables
      ? variables.afterVersion
      : undefined;
  return typeof after === 'number' ? after : undefined;
}

/** Every update once, in order: versions 1, 2, 3 … with no gap, from the request to `last`. */
function expectWholeTimeline(
  entries: Awaited<ReturnType<typeof timeline>>,
  last: string,
  { assigned = true } = {},
) {
  expect(entries.map((e) => e.version)).toEqual(entries.map((_, i) => i + 1));
  expect(entries[0]?.event).toBe('TRIP_REQUESTED');
  expect(entries.at(-1)?.event).toBe(last);
  expect(entries.filter((e) => e.event === 'DRIVER_ASSIGNED')).toHaveLength(assigned ? 1 : 0);
}

describe('web client in a real browser', () => {
  let web: WebSystem;
  let system: TestSystem;
  let appUrl: string;
  const open = () => web.open();

  beforeAll(async () => {
    web = await startWebSystem();
    ({ system, appUrl } = web);
  }, 240_000);
  afterAll(() => web?.stop());
  afterEach(() => web.closePages());

  it('is a production build within the goal of 200 KB of JavaScript gzipped, and the gateway serves it gzipped', async () => {
    const report = JSON.parse(fs.readFileSync(path.join(web.webDir, 'bundle-size.json'), 'utf8')) as {
      jsGzipBytes: number;
      budgetBytes: number;
    };
    expect(report.budgetBytes).toBe(200 * 1024);
    expect(report.jsGzipBytes).toBeLessThanOrEqual(report.budgetBytes);
    // Built once: with the sources unchanged, asking again builds nothing.
    const said: string[] = [];
    await expect(ensureWebBuild((line) => said.push(line))).resolves.toBe(web.webDir);
    expect(said).toEqual([]);
    const page = await open();
    const scripts: Array<{ url: string; encoding: string | undefined }> = [];
    page.on('response', (res) => {
      if (res.url().endsWith('.js'))
        scripts.push({ url: res.url(), encoding: res.headers()['content-encoding'] });
    });
    await page.goto(appUrl);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((s) => s.encoding !== 'gzip')).toEqual([]);
    // Vue's production build: no devtools hook, no development warnings in the entry chunk.
    const entry = fs.readdirSync(path.join(web.webDir, 'assets')).find((f) => /^index-.*\.js$/.test(f)) ?? '';
    expect(fs.readFileSync(path.join(web.webDir, 'assets', entry), 'utf8')).not.toContain(
      '__VUE_HMR_RUNTIME__',
    );
  });

  it('a passenger signs in, requests a DEMO trip and sees the four steps with the driver and car', async () => {
    const page = await open();
    await page.goto(appUrl);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expectAccessible(page, 'sign-in');
    await signIn(page, appUrl, 'PX1001');
    expect(new URL(page.url()).pathname).toBe('/app/trip');
    await page.getByText('Hello, Ava Nguyen.').waitFor();
    await page.getByLabel('Pickup', { exact: true }).selectOption({ label: 'Microsoft Corporate Office' });
    await page.getByLabel('Destination', { exact: true }).selectOption({ label: 'Redmond' });
    await page.getByLabel('Demo (a simulated driver takes it)').check();
    await expectAccessible(page, 'my-trip form');
    await page.getByTestId('request-trip').click();

    for (const step of ['requested', 'driver-found', 'started', 'arrived']) await done(page, step);
    await expect(page.getByTestId('driver-name').textContent()).resolves.toMatch(/\S+ \S+/);
    await expect(page.getByTestId('driver-car').textContent()).resolves.toMatch(/\(\d{4}\) · RS-\d+/);
    await page.getByTestId('arrived').waitFor();
    expectWholeTimeline(await timeline(page), 'TRIP_COMPLETED');
    await page.getByTestId('map-driver').waitFor();
    await expectAccessible(page, 'my-trip arrived');
    await finalScreenshot(page, 'passenger-demo-trip-arrived');
  });

  it('a driver accepts a NORMAL trip offered live; the passenger sees "driver found"; a second driver loses', async () => {
    const [driver, rival, passenger] = [await open(), await open(), await open()];
    const live = [subscribed(driver, 'TripOffers'), subscribed(rival, 'TripOffers')];
    await signIn(driver, appUrl, 'AA100');
    await signIn(rival, appUrl, 'AA110');
    await Promise.all(live);
    await expectAccessible(driver, 'driver console');

    await signIn(passenger, appUrl, 'PX1002');
    await passenger
      .getByLabel('Pickup', { exact: true })
      .selectOption({ label: 'Microsoft Corporate Office' });
    await passenger.getByLabel('Normal (a real driver accepts)').check();
    await passenger.getByTestId('request-trip').click();
    await done(passenger, 'requested');
    const tripCode =
      (await passenger.getByRole('heading', { name: /^Trip / }).textContent())?.replace('Trip ', '') ?? '';

    await driver.getByTestId(`offer-${tripCode}`).waitFor({ timeout: STEP_TIMEOUT_MS });
    await expect(driver.getByTestId(`offer-${tripCode}`).textContent()).resolves.toMatch(/km to the pickup/);
    await rival.getByTestId(`offer-${tripCode}`).waitFor({ timeout: STEP_TIMEOUT_MS });
    await driver.getByTestId(`accept-${tripCode}`).click();
    await driver.getByTestId('current-trip').waitFor();

    await done(passenger, 'driver-found');
    await expect(passenger.getByTestId('driver-name').textContent()).resolves.toBe('James Beaky');
    await expect(passenger.getByTestId('driver-car').textContent()).resolves.toContain('Toyota Prius');

    await rival.getByTestId(`accept-${tripCode}`).click();
    await expect(rival.getByTestId('driver-message').textContent()).resolves.toContain(
      'was taken by another driver first',
    );
    await finalScreenshot(rival, 'normal-trip-lost-accept'); // the message, before the toggles clear it
    // Availability off and on again, as the server records it.
    const accepting = async () =>
      (
        await system.query<{ driver: { isAcceptingRides: boolean } }>(
          '{ driver(code: "AA110") { isAcceptingRides } }',
        )
      ).data?.driver.isAcceptingRides;
    await rival.getByTestId('toggle-availability').click();
    await rival.getByText('You are not accepting rides.').waitFor();
    await expect(accepting()).resolves.toBe(false);
    await rival.getByTestId('toggle-availability').click();
    await rival.getByText('You are accepting rides.').waitFor();
    await expect(accepting()).resolves.toBe(true);
    await finalScreenshot(passenger, 'normal-trip-driver-found-passenger');
    await finalScreenshot(driver, 'normal-trip-driver-found-driver');
    // Frees the driver for the next tests.
    await system.query('mutation ($code: ID!) { cancelTrip(code: $code, reason: "test over") { code } }', {
      code: tripCode,
    });
  });

  it('a pickup picked on the map; a trip cancelled before a driver takes it shows why, and the page resets', async () => {
    const page = await open();
    await signIn(page, appUrl, 'PX1003');
    await page.getByRole('button', { name: 'Pick on map' }).first().click();
    const map = page.getByTestId('trip-map');
    const box = await map.boundingBox();
    if (!box) throw new Error('the map is not on the page');
    await map.click({ position: { x: box.width * 0.8, y: box.height * 0.35 } });
    const hint = (await page.getByText(/^Picked on the map: /).textContent()) ?? '';
    const [latitude, longitude] = hint.replace('Picked on the map: ', '').split(', ').map(Number);
    await page.getByLabel('Normal (a real driver accepts)').check();
    await page.getByTestId('request-trip').click();
    await done(page, 'requested');
    const tripCode =
      (await page.getByRole('heading', { name: /^Trip / }).textContent())?.replace('Trip ', '') ?? '';
    const stored = await system.query<{ trip: { source: { latitude: number; longitude: number } } }>(
      'query ($code: ID!) { trip(code: $code) { source { latitude longitude } } }',
      { code: tripCode },
    );
    expect(stored.data?.trip.source.latitude.toFixed(4)).toBe(latitude?.toFixed(4));
    expect(stored.data?.trip.source.longitude.toFixed(4)).toBe(longitude?.toFixed(4));

    await page.getByTestId('cancel-trip').click();
    await page.getByTestId('abort-reason').waitFor({ timeout: STEP_TIMEOUT_MS });
    await expect(page.getByTestId('abort-reason').textContent()).resolves.toContain(
      'Cancelled: requested by the passenger',
    );
    expectWholeTimeline(await timeline(page), 'TRIP_ABORTED', { assigned: false });
    await finalScreenshot(page, 'passenger-cancelled-trip');
    await page.getByTestId('new-trip').click();
    await page.getByTestId('request-trip').waitFor();
  });

  it('works from the keyboard, with a visible focus ring', async () => {
    const page = await open();
    await page.goto(`${appUrl}sign-in`);
    await page.getByTestId('sign-in-PX1001').waitFor();
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Skip to content');
    let focused = '';
    for (let presses = 0; presses < 20 && focused !== 'sign-in-PX1001'; presses++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
    }
    expect(focused).toBe('sign-in-PX1001');
    const ring = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement ?? document.body);
      return { style: style.outlineStyle, width: style.outlineWidth };
    });
    expect(ring.style).not.toBe('none');
    expect(ring.width).not.toBe('0px');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/app/trip');
    await page.getByLabel('Pickup', { exact: true }).focus();
    await page.keyboard.press('ArrowDown'); // the next pickup: Hyatt Regency Bellevue
    await expect(page.getByLabel('Pickup', { exact: true }).inputValue()).resolves.toBe('hyatt');
    await finalScreenshot(page, 'keyboard-signed-in');
  });

  it('a dropped WebSocket mid-trip resumes from the last version: every step once, in order', async () => {
    const page = await open();
    const sockets: WebSocketRoute[] = [];
    let refuseUntil = 0;
    // Every socket the page opens goes through here: while "down", new ones are closed at once.
    const subscribedAfter: number[] = [];
    await page.routeWebSocket(/\/graphql$/, (socket) => {
      if (Date.now() < refuseUntil) return void socket.close({ code: 1013, reason: 'down for the test' });
      const server = socket.connectToServer();
      // What the page sends passes on unchanged; each tripUpdated subscribe's afterVersion is noted.
      socket.onMessage((message) => {
        const afterVersion = typeof message === 'string' ? tripUpdatedAfterVersion(message) : undefined;
        if (afterVersion !== undefined) subscribedAfter.push(afterVersion);
        server.send(message);
      });
      sockets.push(socket);
    });
    await signIn(page, appUrl, 'PX1003');
    await page.getByTestId('request-trip').click();
    await done(page, 'driver-found');

    const before = (await timeline(page)).length;
    refuseUntil = Date.now() + 3_000;
    await Promise.all(sockets.splice(0).map((s) => s.close({ code: 1001, reason: 'dropped by the test' })));
    await done(page, 'arrived');
    const entries = await timeline(page);
    expectWholeTimeline(entries, 'TRIP_COMPLETED');
    expect(entries.length).toBeGreaterThan(before);
    expect(sockets.length).toBeGreaterThan(0); // it did connect again
    // From the start first, then, on the new socket, from the last version the page had shown.
    expect(subscribedAfter[0]).toBe(0);
    expect(subscribedAfter.length).toBeGreaterThanOrEqual(2);
    expect(subscribedAfter.at(-1)).toBeGreaterThanOrEqual(before);
    await finalScreenshot(page, 'resumed-after-dropped-socket');
  });

  it('signed out every page leads to sign-in; a passenger cannot reach the admin pages', async () => {
    const page = await open();
    for (const path of ['trip', 'driver', 'dashboard', 'drivers', 'passengers']) {
      await page.goto(`${appUrl}${path}`);
      await page.waitForURL((url) => url.pathname === '/app/sign-in');
      expect(new URL(page.url()).searchParams.get('next')).toBe(`/${path}`);
    }
    await page.getByTestId('sign-in-PX1001').click();
    await page.waitForURL((url) => url.pathname === '/app/trip');
    for (const path of ['dashboard', 'drivers', 'passengers', 'driver']) {
      await page.goto(`${appUrl}${path}`);
      await page.waitForURL((url) => url.pathname === '/app/trip');
      await page.getByRole('alert').filter({ hasText: 'is not open to a passenger' }).waitFor();
    }
    // The server agrees: a passenger's token cannot list drivers.
    const res = await page.evaluate(async () => {
      const token = sessionStorage.getItem('rideshare.session') ?? '';
      const answer = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ drivers { code } }' }),
      });
      return JSON.stringify(await answer.json());
    });
    expect(res).toContain('FORBIDDEN');
    await finalScreenshot(page, 'passenger-refused-admin-page');
  });

  it('signing out goes to sign-in without saying the session ended, and sends no request without a token', async () => {
    for (const [code, home, greeting] of [
      ['PX1001', 'trip', 'Hello, Ava Nguyen.'],
      ['AA120', 'driver', 'Sam Imada'],
    ] as const) {
      const page = await open();
      const refused: string[] = [];
      page.on('response', (r) => {
        if (r.status() === 401) refused.push(`${r.request().method()} ${r.url()}`);
      });
      await signIn(page, appUrl, code);
      await page.waitForURL((url) => url.pathname === `/app/${home}`);
      await page.getByText(greeting).first().waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL((url) => url.pathname === '/app/sign-in');
      await page.getByTestId('sign-in-PX1001').waitFor(); // the listing is back: the page has settled
      expect({ code, ended: new URL(page.url()).searchParams.get('ended'), refused }).toEqual({
        code,
        ended: null,
        refused: [],
      });
      await expect(page.getByText('Your session ended').count()).resolves.toBe(0);
      await expect(page.evaluate(() => sessionStorage.getItem('rideshare.session'))).resolves.toBeNull();
    }
  });

  it('a session that expires leads back to sign-in, saying so', async () => {
    const page = await open();
    await page.goto(`${appUrl}sign-in`);
    const shortLived = await mintToken(
      readAuthConfig(system.envFor('gateway')),
      { role: 'passenger', code: 'PX1002' },
      '4s',
    );
    await page.evaluate((token) => sessionStorage.setItem('rideshare.session', token), shortLived);
    await page.goto(`${appUrl}trip`);
    await page.getByText('Hello, Liam Ortiz.').waitFor();
    await page.waitForURL((url) => url.pathname === '/app/sign-in' && url.searchParams.get('ended') === '1', {
      timeout: 15_000,
    });
    await page.getByText('Your session ended: sign in again.').waitFor();
    await expect(page.evaluate(() => sessionStorage.getItem('rideshare.session'))).resolves.toBeNull();
    await finalScreenshot(page, 'session-expired');
  });

  describe('in production mode', () => {
    let production: RunningService;
    beforeAll(async () => {
      production = await startService(
        'gateway-production',
        'gateway/src/index.ts',
        {
          ...system.envFor('gateway'),
          APP_MODE: 'production',
          AUTH_JWT_SECRET: crypto.randomBytes(24).toString('base64url'),
          SUBGRAPH_IDENTITY_SECRET: crypto.randomBytes(24).toString('base64url'),
        },
        () => undefined,
      );
    });
    afterAll(() => production?.stop());

    it('has no local sign-in: the endpoint answers 404 and the app says so', async () => {
      const base = production.url.replace(/\/graphql$/, '');
      for (const method of ['GET', 'POST'])
        expect((await fetch(`${base}/auth/local-token`, { method })).status).toBe(404);
      const page = await open();
      await page.goto(`${base}/app/trip`);
      await page.waitForURL((url) => url.pathname === '/app/sign-in');
      await page.getByText('This gateway has no sign-in for people configured').waitFor();
      await expect(page.locator('[data-testid^="sign-in-"]').count()).resolves.toBe(0);
      await expectAccessible(page, 'sign-in (production)');
      await finalScreenshot(page, 'production-no-local-sign-in');
    });
  });

  describe('with an OpenID Connect provider (AUTH_JWKS_URL)', () => {
    const AUDIENCE = 'urn:rideshare:api'; // a resource indicator: an absolute URI
    let provider: OidcProvider;
    let gateway: RunningService;

    beforeAll(async () => {
      // The provider must know the app's redirect before the gateway starts: the port is chosen first.
      const port = await freePort();
      provider = await startOidcProvider({
        clientId: 'rideshare-web',
        redirectUri: `http://127.0.0.1:${port}/app/callback`,
        audience: AUDIENCE,
      });
      gateway = await startService(
        'gateway-oidc',
        'gateway/src/index.ts',
        {
          ...system.envFor('gateway'),
          PORT: String(port),
          AUTH_JWKS_URL: provider.jwksUrl,
          AUTH_ISSUER: provider.issuer,
          AUTH_AUDIENCE: AUDIENCE,
          WEB_OIDC_AUTHORITY: provider.issuer,
          WEB_OIDC_CLIENT_ID: 'rideshare-web',
          WEB_OIDC_SCOPE: 'openid rideshare',
        },
        () => undefined,
      );
    });
    afterAll(async () => {
      await gateway?.stop();
      await provider?.stop();
    });

    it("signs in with the authorization code flow and PKCE, and the provider's token opens the graph", async () => {
      const base = gateway.url.replace(/\/graphql$/, '');
      expect((await fetch(`${base}/auth/local-token`)).status).toBe(404);
      const page = await open();
      const authorizations: URL[] = [];
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (url.origin === provider.issuer && url.pathname === '/auth') authorizations.push(url);
      });
      await page.goto(`${base}/app/trip`);
      await page.waitForURL((url) => url.pathname === '/app/sign-in');
      await expectAccessible(page, 'sign-in (OpenID Connect)');
      await page.getByRole('button', { name: 'Sign in' }).click();
      // The provider's own (development) login and consent pages.
      await page.waitForURL((url) => url.origin === provider.issuer);
      await page.locator('input[name="login"]').fill('PX1001');
      await page.locator('input[name="password"]').fill('any');
      await page.locator('button[type="submit"]').click();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL((url) => url.origin === base && url.pathname === '/app/trip');
      await page.getByText('Hello, Ava Nguyen.').waitFor();
      await expect(page.getByTestId('signed-in-as').textContent()).resolves.toBe('passenger PX1001');
      // It was the authorization code flow with PKCE (S256).
      const [authorization] = authorizations;
      expect(authorization?.searchParams.get('response_type')).toBe('code');
      expect(authorization?.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorization?.searchParams.get('client_id')).toBe('rideshare-web');
      await finalScreenshot(page, 'oidc-signed-in-passenger');
    });
  });
});
