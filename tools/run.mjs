// Entry point of `npm start`, `npm test` and `npm run stack`. It needs no dependencies: it installs
// node_modules when they are missing or older than package-lock.json, then hands over to the TypeScript CLI.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const installed = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');

function ensureDependencies() {
  const stale =
    !existsSync(installed) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs);
  if (!stale) return;
  const args = existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  console.log(`[setup] npm ${args[0]} (dependencies missing or stale)`);
  const result = spawnSync('npm', args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const started = Date.now();
ensureDependencies();
process.env.SETUP_DEPS_MS = String(Date.now() - started);

// exit-with-parent.ts: should we be killed outright (SIGKILL), the child still stops what it started.
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--import',
    join(root, 'tools/stack/src/exit-with-parent.ts'),
    join(root, 'tools/stack/src/main.ts'),
    ...process.argv.slice(2),
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, RIDESHARE_PARENT_PID: String(process.pid) },
  },
);
// The child handles shutdown; we only pass every signal on (it tells one Ctrl-C that reached both of
// us from a second one) and exit with its code.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
// npm (which sets npm_lifecycle_event) runs us in a shell and passes a SIGTERM to that shell, which
// dies of it without passing it on: under npm, our parent going away is that SIGTERM.
if (process.env.npm_lifecycle_event) {
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    child.kill('SIGTERM');
  }, 500);
  watch.unref();
}
