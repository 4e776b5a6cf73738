import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { needsPostgres } from './mongo-server';
import { stackDir, stackPorts } from './paths';
import { aptInstall, runOrThrow } from './proc';
import type { ManagedService } from './service';

/**
 * Debian's PostgreSQL, the storage FerretDB runs on by default. The stack runs its own cluster under
 * `.stack/postgres` as the `postgres` user (PostgreSQL refuses to run as root), on loopback only, with
 * no Unix socket (its path would depend on how long the clone's path is).
 */
const dataDir = () => path.join(stackDir(), 'postgres', 'data');

/** The newest server installed under Debian's layout, e.g. /usr/lib/postgresql/15/bin. */
function serverBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(root, versions[0], 'bin');
}

function requireBin(name: string): string {
  const bin = serverBin();
  if (!bin)
    throw new Error('PostgreSQL is not installed: run `sudo apt-get install postgresql`, or set MONGO_URL');
  return path.join(bin, name);
}

function postgresUser(): { uid: number; gid: number } {
  const out = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  const uid = Number(out.stdout.trim());
  if (out.status !== 0 || !Number.isInteger(uid))
    throw new Error(
      'PostgreSQL: the "postgres" system user is missing (it comes with Debian\'s postgresql package)',
    );
  return { uid, gid: Number(gid.stdout.trim()) };
}

/** The server must be able to reach its data directory: give the postgres user search rights on the way. */
function grantTraversal(dir: string): void {
  for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
    const mode = fs.statSync(d).mode;
    if ((mode & 0o001) === 0) {
      console.log(
        `[stack] postgres: allowing other users to traverse ${d} (chmod o+x) so PostgreSQL reaches its data`,
      );
      fs.chmodSync(d, mode | 0o001);
    }
  }
}

/** Settings sized for our pools: FerretDB holds up to 200 connections (see mongo.ts). */
const settings = [
  'listen_addresses=127.0.0.1',
  'unix_socket_directories=',
  'max_connections=300',
  'shared_buffers=256MB',
  // FerretDB sends the field name as a parameter (`_jsonb->$1 @> $2`): only a custom plan, which
  // sees the field name, can match the expression indexes. Generic plans would scan every table.
  'plan_cache_mode=force_custom_plan',
  'log_min_messages=warning',
];

export const postgresService: ManagedService = {
  name: 'postgres',
  envVar: 'STACK_POSTGRES_URL',
  get localValue() {
    return `postgres://postgres@127.0.0.1:${stackPorts().postgres}/postgres`;
  },
  get ports() {
    return [stackPorts().postgres];
  },
  describe: () => `PostgreSQL ${path.basename(path.dirname(serverBin() ?? '?/x'))} (Debian's package)`,
  startTimeoutMs: 60_000,
  stopSignal: 'SIGINT', // "fast" shutdown: SIGTERM would wait for every client to disconnect
  needed: needsPostgres,

  async install() {
    if (serverBin()) return;
    if (process.getuid?.() !== 0)
      throw new Error('PostgreSQL is not installed: run `sudo apt-get install postgresql`, or set MONGO_URL');
    console.log("[stack] installing Debian's postgresql");
    await aptInstall(['postgresql'], 'postgresql install');
  },

  async prepare() {
    const dir = dataDir();
    if (fs.existsSync(path.join(dir, 'PG_VERSION'))) return;
    const user = postgresUser();
    fs.mkdirSync(dir, { recursive: true });
    fs.chownSync(path.dirname(dir), user.uid, user.gid);
    fs.chownSync(dir, user.uid, user.gid);
    grantTraversal(dir);
    await runOrThrow(
      requireBin('initdb'),
      ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'],
      'PostgreSQL initdb',
      { uid: user.uid, gid: user.gid, stdio: ['ignore', 'ignore', 'inherit'] },
    );
  },

  command() {
    const args = ['-D', dataDir(), '-p', String(stackPorts().postgres)];
    for (const s of settings) args.push('-c', s);
    return { cmd: requireBin('postgres'), args, user: postgresUser() };
  },

  async healthy(url: string) {
    const bin = serverBin();
    if (!bin) return false;
    const { hostname, port } = new URL(url);
    const res = spawnSync(path.join(bin, 'pg_isready'), [
      '-q',
      '-h',
      hostname,
      '-p',
      port || '5432',
      '-t',
      '2',
    ]);
    return res.status === 0;
  },
};

/**
 * Runs SQL against PostgreSQL with Debian's psql and returns the rows as arrays of text (tests read
 * PostgreSQL's own statistics this way). Fails with psql's message on an error.
 */
export function queryPostgres(url: string, sql: string): string[][] {
  const res = spawnSync(
    requireBin('psql'),
    [url, '-X', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql],
    {
      encoding: 'utf8',
    },
  );
  if (res.status !== 0) throw new Error(`psql: ${res.stderr.trim() || `exit ${res.status}`}`);
  return res.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}
