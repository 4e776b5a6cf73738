import type { Browser, Page } from 'playwright-core';
import {
  checkAccessibility,
  ensureWebBuild,
  fastLifecycleEnv,
  formatViolations,
  launchBrowser,
  saveScreenshot,
  seedIfEmpty,
  startTestSystem,
  type TestSystem,
} from '@rideshare/testing';

/** The system with the gateway serving the built app, seeded, and a browser. */
export interface WebSystem {
  system: TestSystem;
  browser: Browser;
  /** Where the app is: `<gateway>/app/`. */
  appUrl: string;
  /** The build the gateway serves. */
  webDir: string;
  /** A fresh tab in a context of its own (one person); closed by closePages. */
  open(): Promise<Page>;
  closePages(): Promise<void>;
  stop(): Promise<void>;
}

export async function startWebSystem(): Promise<WebSystem> {
  const webDir = await ensureWebBuild();
  const system = await startTestSystem({
    ...fastLifecycleEnv,
    // A person clicks Accept: room for that, and for a busy machine.
    TRIP_ACCEPT_WINDOW_MS: '30000',
    GATEWAY_WEB_DIR: webDir,
  });
  await seedIfEmpty(system.gatewayUrl, await system.adminAuth());
  const browser = await launchBrowser();
  const pages: Page[] = [];
  const closePages = async () => {
    await Promise.all(pages.splice(0).map((p) => p.context().close()));
  };
  return {
    system,
    browser,
    appUrl: system.gatewayUrl.replace(/\/graphql$/, '/app/'),
    webDir,
    async open() {
      const page = await newPage(browser);
      pages.push(page);
      return page;
    },
    closePages,
    async stop() {
      await closePages();
      await browser.close();
      await system.stop();
    },
  };
}

/** A fresh browser context (its own sessionStorage: one person) with one page. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  return context.newPage();
}

/** Signs in on the local sign-in screen by clicking the person, as a user does. */
export async function signIn(page: Page, appUrl: string, code: string): Promise<void> {
  await page.goto(`${appUrl}sign-in`);
  await page.getByTestId(`sign-in-${code}`).click();
  await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
}

/** axe-core's serious and critical findings on the page as it is now: none expected. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const violations = await checkAccessibility(page, label);
  expect(formatViolations(label, violations)).toBe(formatViolations(label, []));
}

/** The final page of a test, kept as an artifact (.artifacts/screenshots, ignored by git). */
export const finalScreenshot = (page: Page, name: string) => saveScreenshot(page, `web-${name}`);

export interface TimelineEntry {
  event: string;
  version: number;
}

/** The trip's timeline as the page shows it: one entry per update received. */
export function timeline(page: Page): Promise<TimelineEntry[]> {
  return page.getByTestId('trip-event').evaluateAll((items) =>
    items.map((item) => ({
      event: item.getAttribute('data-event') ?? '',
      version: Number(item.getAttribute('data-version')),
    })),
  );
}

/** Resolves once the page's WebSocket has sent a subscribe for `operationName` (it is then live). */
export function subscribed(page: Page, operationName: string): Promise<void> {
  return new Promise((resolve) => {
    page.on('websocket', (socket) =>
      socket.on('framesent', ({ payload }) => {
        if (typeof payload === 'string' && payload.includes('"subscribe"') && payload.includes(operationName))
          resolve();
      }),
    );
  });
}
