// Self-test of the browser harness against a tiny local page: Debian's chromium starts, axe-core
// finds a real violation and passes a clean page, and screenshots are PNGs. Needs no stack services.
import fs from 'node:fs';
import http from 'node:http';
import type { Browser } from 'playwright-core';
import { checkAccessibility, formatViolations, launchBrowser, saveScreenshot } from '../src/browser';

const goodPage = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Good page</title></head>
  <body>
    <main>
      <h1>Book a ride</h1>
      <label for="pickup">Pickup</label>
      <input id="pickup" type="text">
      <button type="button">Request ride</button>
    </main>
  </body>
</html>`;

// A link whose only content is an image without alt text: no accessible name ("link-name" and
// "image-alt", both serious or critical).
const badPage = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Bad page</title></head>
  <body>
    <main>
      <h1>Trips</h1>
      <a id="home-link" href="/"><img src="/logo.png"></a>
    </main>
  </body>
</html>`;

const pages: Record<string, string> = { '/good': goodPage, '/bad': badPage };

let server: http.Server;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const body = pages[req.url ?? ''];
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error(`unexpected server address ${address}`);
  baseUrl = `http://127.0.0.1:${address.port}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

test('a labelled page has no serious or critical violations', async () => {
  const page = await browser.newPage();
  await page.goto(`${baseUrl}/good`);
  const violations = await checkAccessibility(page, 'good page');
  expect(formatViolations('good page', violations)).toBe(
    'good page: no serious or critical accessibility violations',
  );
  expect(violations).toEqual([]);
  await page.close();
});

test('an image-only link without alt text is reported, with where it is', async () => {
  const page = await browser.newPage();
  await page.goto(`${baseUrl}/bad`);
  const violations = await checkAccessibility(page, 'bad page');
  const ids = violations.map((v) => v.id);
  expect(ids).toEqual(expect.arrayContaining(['image-alt', 'link-name']));
  const linkName = violations.find((v) => v.id === 'link-name');
  expect(linkName?.nodes.map((n) => n.target)).toEqual(['#home-link']);
  expect(formatViolations('bad page', violations)).toContain('link-name');
  // A second run on the same page reuses the injected axe-core.
  expect((await checkAccessibility(page, 'bad page again')).map((v) => v.id)).toEqual(ids);
  await page.close();
});

test('saveScreenshot writes a full-page PNG', async () => {
  const page = await browser.newPage();
  await page.goto(`${baseUrl}/good`);
  const file = await saveScreenshot(page, 'harness self-test/good page');
  expect(file).toMatch(/\.artifacts\/screenshots\/harness-self-test-good-page\.png$/);
  const header = fs.readFileSync(file).subarray(0, 8);
  expect([...header]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  await page.close();
});
