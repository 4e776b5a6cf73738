import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { cacheDir, stackDir, stackPorts } from './paths';
import { onPath, runOrThrow } from './proc';
import type { ManagedService } from './service';

/** FerretDB 1.x on SQLite gives a MongoDB-protocol server without Docker (see README for its gaps). */
export const FERRETDB_VERSION = 'v1.24.2';
/** Bumped when the build's patch changes, so a cached binary without it is rebuilt. */
const BUILD = 'id-index';
const ferretBinary = () => path.join(cacheDir(), `ferretdb-${FERRETDB_VERSION}-${BUILD}`, 'ferretdb');

/**
 * FerretDB 1.x's SQLite back end creates its `_id` index on `_ferretdb_sjson->"_id"` but filters by
 * `_ferretdb_sjson->'$._id'`: the same value (SQLite reads a label X as the path '$.X'), yet a
 * different expression, so SQLite never uses the index and every read, update and delete by `_id` scans
 * the whole table (measured: 21 ms per `findOne({ _id })` on 20,000 documents). The patch makes the
 * filter the index's expression. Nothing else changes.
 */
function patchIdIndexUse(src: string): void {
  const file = path.join(src, 'internal/backends/sqlite/metadata/metadata.go');
  const before = `IDColumn = DefaultColumn + "->'$._id'"`;
  const text = fs.readFileSync(file, 'utf8');
  if (!text.includes(before)) throw new Error(`FerretDB patch: "${before}" not found in ${file}`);
  fs.writeFileSync(file, text.replace(before, `IDColumn = DefaultColumn + "->'_id'"`));
}
const dataDir = () => path.join(stackDir(), 'mongo');

/** A real mongod on PATH wins over FerretDB. */
const mongod = () => onPath('mongod');

export const mongoService: ManagedService = {
  name: 'mongo',
  envVar: 'MONGO_URL',
  get localValue() {
    return `mongodb://127.0.0.1:${stackPorts().mongo}`;
  },
  get ports() {
    return [stackPorts().mongo];
  },
  describe: () => (mongod() ? 'mongod from PATH' : `FerretDB ${FERRETDB_VERSION} (SQLite back end)`),
  startTimeoutMs: 30_000,

  async install() {
    if (mongod() || fs.existsSync(ferretBinary())) return;
    if (!onPath('go'))
      throw new Error(
        'FerretDB is built from the Go module proxy and needs Go 1.24+ on PATH; or set MONGO_URL to an existing MongoDB',
      );
    const work = path.join(cacheDir(), `ferretdb-${FERRETDB_VERSION}.build-${process.pid}`);
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(work, { recursive: true });
    console.log(
      `[stack] building FerretDB ${FERRETDB_VERSION} from the Go module proxy (about a minute, once per machine)`,
    );
    const env = { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' };
    const info = path.join(work, 'module.json');
    runOrThrow(
      'sh',
      ['-c', `go mod download -json github.com/FerretDB/FerretDB@${FERRETDB_VERSION} > ${info}`],
      'FerretDB download',
      { cwd: work, env },
    );
    const moduleDir = (JSON.parse(fs.readFileSync(info, 'utf8')) as { Dir: string }).Dir;
    const src = path.join(work, 'src');
    fs.cpSync(moduleDir, src, { recursive: true });
    runOrThrow('chmod', ['-R', 'u+w', src], 'FerretDB build');
    // The module zip lacks build/version/version.txt and the binary panics without it (FerretDB issue 2982).
    fs.writeFileSync(path.join(src, 'build/version/version.txt'), FERRETDB_VERSION);
    patchIdIndexUse(src);
    runOrThrow('go', ['build', '-o', path.join(work, 'ferretdb'), './cmd/ferretdb'], 'FerretDB build', {
      cwd: src,
      env,
    });
    fs.mkdirSync(path.dirname(ferretBinary()), { recursive: true });
    fs.renameSync(path.join(work, 'ferretdb'), ferretBinary());
    fs.rmSync(work, { recursive: true, force: true });
  },

  async prepare() {
    fs.mkdirSync(path.join(dataDir(), 'data'), { recursive: true });
  },

  command() {
    const dir = dataDir();
    const port = stackPorts().mongo;
    const real = mongod();
    if (real)
      return {
        cmd: real,
        args: [
          '--dbpath',
          path.join(dir, 'data'),
          '--bind_ip',
          '127.0.0.1',
          '--port',
          String(port),
          '--quiet',
        ],
      };
    return {
      cmd: ferretBinary(),
      args: [
        '--handler=sqlite',
        `--sqlite-url=file:${path.join(dir, 'data')}/`,
        `--listen-addr=127.0.0.1:${port}`,
        '--telemetry=disable',
        `--state-dir=${dir}`,
        '--debug-addr=-',
        '--log-level=warn',
      ],
    };
  },

  async healthy(url: string) {
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
    try {
      await client.connect();
      const res = await client.db('admin').command({ ping: 1 });
      return res.ok === 1;
    } catch {
      return false;
    } finally {
      await client.close().catch(() => undefined);
    }
  },
};
