import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths';
import { runOrThrow } from './proc';

const webRoot = path.join(repoRoot, 'web');
/** The built app, served by the gateway under /app/ (GATEWAY_WEB_DIR). Ignored by git. */
export const webDist = path.join(webRoot, 'dist');
const HASH_FILE = '.source-hash';
const vite = path.join(repoRoot, 'node_modules/.bin/vite');

/** What the build depends on: the app's sources and configuration, and the installed versions. */
function sourceHash(): string {
  const hash = crypto.createHash('sha256');
  const inputs = ['src', 'build', 'index.html', 'vite.config.mts', 'tsconfig.json', 'package.json']
    .map((p) => path.join(webRoot, p))
    .concat(path.join(repoRoot, 'package-lock.json'));
  for (const input of inputs) {
    if (!fs.existsSync(input)) continue;
    const files = fs.statSync(input).isDirectory()
      ? fs
          .readdirSync(input, { recursive: true, encoding: 'utf8' })
          .map((f) => path.join(input, f))
          .filter((f) => fs.statSync(f).isFile())
          .sort()
      : [input];
    for (const file of files)
      hash.update(path.relative(repoRoot, file)).update('\0').update(fs.readFileSync(file));
  }
  return hash.digest('hex');
}

const builtHash = () => {
  try {
    return fs.readFileSync(path.join(webDist, HASH_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
};

/**
 * Builds the web app when its sources changed since the last build (else reuses it) and returns
 * where it is. It builds into a folder of its own and then swaps it in, so two runs building at once
 * never serve a half-written app.
 */
export async function ensureWebBuild(log: (line: string) => void = console.log): Promise<string> {
  const hash = sourceHash();
  if (builtHash() === hash) return webDist;
  log('[web] building the app (its sources changed since the last build)');
  const out = path.join(webRoot, `.dist-${process.pid}-${Date.now()}`);
  try {
    // A production build whatever NODE_ENV the caller runs with (npm test sets `test`, and Vite
    // would then ship Vue's development build).
    await runOrThrow(vite, ['build', '--logLevel', 'warn', '--outDir', out], 'web build', {
      cwd: webRoot,
      env: { ...process.env, NODE_ENV: 'production' },
    });
    fs.writeFileSync(path.join(out, HASH_FILE), hash);
    const old = `${out}-old`;
    try {
      if (fs.existsSync(webDist)) fs.renameSync(webDist, old);
      fs.renameSync(out, webDist);
    } catch (err) {
      // Another run swapped in the same build between our two renames: theirs serves as well.
      if (builtHash() !== hash) throw err;
    }
    fs.rmSync(old, { recursive: true, force: true });
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
  return webDist;
}
