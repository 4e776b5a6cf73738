// The browser-test harness: Debian's chromium driven by playwright-core (Playwright's own browser
// download cannot work here), axe-core accessibility checks and screenshots for the web client.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { z } from 'zod';
import { aptInstall } from '@rideshare/stack';

/** The repository root (testing/src → ../..); screenshots go under its ignored `.artifacts/`. */
const repoRoot = path.resolve(__dirname, '../..');

const chromiumCandidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

function findChromium(): string | undefined {
  return chromiumCandidates.find((candidate) => fs.existsSync(candidate));
}

/**
 * The path of Debian's chromium. CHROMIUM_PATH overrides (and must exist). When it is missing and we
 * run as root, installs the `chromium` package with the stack's apt-get installer (the one that
 * installs redis-server and postgresql); otherwise throws, saying how to install it.
 */
export async function ensureChromium(): Promise<string> {
  const override = process.env.CHROMIUM_PATH;
  if (override) {
    if (!fs.existsSync(override)) throw new Error(`CHROMIUM_PATH=${override} does not exist`);
    return override;
  }
  const found = findChromium();
  if (found) return found;
  if (process.getuid?.() !== 0)
    throw new Error(
      "chromium is not installed: run `sudo apt-get install chromium` (Debian's package), or set CHROMIUM_PATH to a Chromium binary",
    );
  console.log("[testing] installing Debian's chromium");
  await aptInstall(['chromium'], 'chromium install');
  const installed = findChromium();
  if (!installed)
    throw new Error(
      `chromium install: apt-get succeeded but none of ${chromiumCandidates.join(', ')} exists`,
    );
  return installed;
}

/** Flags that work for Debian's chromium on this machine (root, no GPU, no outbound network). */
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** A headless Debian chromium under playwright-core. Close it in afterAll. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = await ensureChromium();
  return chromium.launch({ executablePath, headless: true, args: chromiumArgs });
}

// axe-core's result shape, as much of it as a failing test message needs. A node's target is a
// CSS selector, or a list of them through iframes and shadow roots.
const axeTarget = z.array(z.union([z.string(), z.array(z.string())]));
const axeImpact = z.enum(['minor', 'moderate', 'serious', 'critical']);
const axeViolationSchema = z.object({
  id: z.string(),
  impact: axeImpact.nullish(),
  help: z.string(),
  helpUrl: z.string(),
  nodes: z.array(
    z.object({
      target: axeTarget,
      html: z.string(),
      failureSummary: z.string().nullish(),
    }),
  ),
});
const axeResultsSchema = z.object({ violations: z.array(axeViolationSchema) });

export type AxeImpact = z.infer<typeof axeImpact>;

/** One serious or critical axe-core violation: what rule failed, and where. */
export interface AxeViolation {
  id: string;
  impact: 'serious' | 'critical';
  help: string;
  helpUrl: string;
  /** Where it fails, one entry per failing element. */
  nodes: { target: string; html: string; failureSummary?: string }[];
}

let axeSource: string | undefined;
function axeScript(): string {
  // require.resolve gives axe-core's main file (axe.js); the minified build sits beside it.
  axeSource ??= fs.readFileSync(path.join(path.dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');
  return axeSource;
}

/**
 * Runs axe-core over the page as it is now and returns the serious and critical violations (an
 * empty array when there are none). `label` names the page or state in error messages.
 */
export async function checkAccessibility(page: Page, label: string): Promise<AxeViolation[]> {
  const loaded = await page.evaluate<unknown>("typeof window.axe === 'object'");
  // Evaluated through the DevTools protocol, not as a script tag: the app's CSP rightly forbids inline scripts.
  if (loaded !== true) await page.evaluate(axeScript());
  const raw = await page.evaluate<unknown>("window.axe.run(document, { resultTypes: ['violations'] })");
  const parsed = axeResultsSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `checkAccessibility(${label}): unexpected axe-core result: ${z.prettifyError(parsed.error)}`,
    );
  const violations: AxeViolation[] = [];
  for (const v of parsed.data.violations) {
    if (v.impact !== 'serious' && v.impact !== 'critical') continue;
    violations.push({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.map((t) => (typeof t === 'string' ? t : t.join(' >>> '))).join(' '),
        html: n.html,
        ...(n.failureSummary ? { failureSummary: n.failureSummary } : {}),
      })),
    });
  }
  return violations;
}

/** One line per violation and failing element, for a test's failure message. */
export function formatViolations(label: string, violations: AxeViolation[]): string {
  if (violations.length === 0) return `${label}: no serious or critical accessibility violations`;
  const lines = violations.flatMap((v) => [
    `${label}: [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`,
    ...v.nodes.map((n) => `    at ${n.target}: ${n.html}`),
  ]);
  return lines.join('\n');
}

/** The directory screenshots are written to (ignored by git). */
export const screenshotDir = path.join(repoRoot, '.artifacts', 'screenshots');

/**
 * A full-page PNG at `.artifacts/screenshots/<name>.png`; returns its path. Characters other than
 * letters, digits, `.`, `_` and `-` in the name become `-`, so a test title can be passed as is.
 */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'screenshot';
  const file = path.join(screenshotDir, `${safe}.png`);
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: file, fullPage: true, type: 'png' });
  return file;
}
