import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { cacheDir, stackDir, stackPorts } from './paths';
import { ferretBackend, mongod } from './mongo-server';
import { onPath, runOrThrow } from './proc';
import { postgresService } from './postgres';
import type { ManagedService } from './service';

/** The PostgreSQL FerretDB stores into: STACK_POSTGRES_URL, or the stack's own cluster. */
function postgresUrl(): string {
  const url = new URL(process.env.STACK_POSTGRES_URL || postgresService.localValue);
  url.searchParams.set('pool_max_conns', String(PG_POOL));
  return url.toString();
}

/** FerretDB 1.x on PostgreSQL gives a MongoDB-protocol server without Docker (see README for its gaps). */
export const FERRETDB_VERSION = 'v1.24.2';
/** Names the build's patches, so a cached binary without them is rebuilt. */
const BUILD = 'id-index-pg-gin-only';
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
  patchFile(file, before, `IDColumn = DefaultColumn + "->'_id'"`);
}

function patchFile(file: string, before: string, after: string): void {
  const text = fs.readFileSync(file, 'utf8');
  if (text.split(before).length !== 2)
    throw new Error(`FerretDB patch: expected exactly one "${before.trim().split('\n')[0]}" in ${file}`);
  fs.writeFileSync(file, text.replace(before, after));
}

/**
 * FerretDB's PostgreSQL back end pushes an equality filter down as `_jsonb->'f' @> value`, but
 * `createIndex({ f: 1 })` makes a btree on `(_jsonb->'f')`, which cannot serve `@>`: every pushed-down
 * find, by `_id` included, is a sequential scan (30 ms against 0.02 ms on 20,000 documents). The patch
 * makes the index a GIN `jsonb_path_ops` index over the same expressions, which serves `@>` (with
 * PostgreSQL's own recheck, so results are unchanged, arrays included). FerretDB never queries a
 * btree but the unique ones (updates by `_id` use `=`; uniqueness needs a btree), so a non-unique
 * index gets only the GIN index and a unique one both: each index costs every write, and a trip is
 * written on every event.
 */
function patchPostgresIndexes(src: string): void {
  const file = path.join(src, 'internal/backends/postgresql/metadata/registry.go');
  patchFile(
    file,
    `
		if _, err = p.Exec(ctx, q); err != nil {
			_ = r.indexesDrop(ctx, p, dbName, collectionName, created)
			return lazyerrors.Error(err)
		}
`,
    `
		cols := ginColumns(index.Key)
		if index.Unique || cols == "" {
			if _, err = p.Exec(ctx, q); err != nil {
				_ = r.indexesDrop(ctx, p, dbName, collectionName, created)
				return lazyerrors.Error(err)
			}
		}
		if cols != "" {
			gq := fmt.Sprintf("CREATE INDEX %s ON %s USING gin (%s)",
				pgx.Identifier{ginIndexName(index.PgIndex)}.Sanitize(),
				pgx.Identifier{dbName, c.TableName}.Sanitize(), cols)
			if _, err = p.Exec(ctx, gq); err != nil {
				_, _ = p.Exec(ctx, "DROP INDEX IF EXISTS "+pgx.Identifier{dbName, index.PgIndex}.Sanitize())
				_ = r.indexesDrop(ctx, p, dbName, collectionName, created)
				return lazyerrors.Error(err)
			}
		}
`,
  );
  patchFile(
    file,
    `		q := fmt.Sprintf("DROP INDEX %s", pgx.Identifier{dbName, c.Indexes[i].PgIndex}.Sanitize())
		if _, err := p.Exec(ctx, q); err != nil {
			return lazyerrors.Error(err)
		}
`,
    `		q := fmt.Sprintf("DROP INDEX IF EXISTS %s", pgx.Identifier{dbName, c.Indexes[i].PgIndex}.Sanitize())
		if _, err := p.Exec(ctx, q); err != nil {
			return lazyerrors.Error(err)
		}
		gq := "DROP INDEX IF EXISTS " + pgx.Identifier{dbName, ginIndexName(c.Indexes[i].PgIndex)}.Sanitize()
		if _, err := p.Exec(ctx, gq); err != nil {
			return lazyerrors.Error(err)
		}
`,
  );
  fs.appendFileSync(
    file,
    `
// ginIndexName names the GIN index of an index (same length as the btree's: PostgreSQL truncates at 63).
func ginIndexName(pgIndex string) string {
	return strings.TrimSuffix(pgIndex, "_idx") + "_gin"
}

// ginColumns lists an index's top-level fields (the only ones FerretDB pushes down) as jsonb_path_ops columns.
func ginColumns(key []IndexKeyPair) string {
	var cols []string
	for _, k := range key {
		if !strings.Contains(k.Field, ".") {
			cols = append(cols, fmt.Sprintf("((%s->%s)) jsonb_path_ops", DefaultColumn, quoteString(k.Field)))
		}
	}
	return strings.Join(cols, ", ")
}
`,
  );
}

const dataDir = () => path.join(stackDir(), 'mongo');

/** FerretDB's pool; PostgreSQL's max_connections (postgres.ts) stays above it. */
const PG_POOL = 200;

export const mongoService: ManagedService = {
  name: 'mongo',
  envVar: 'MONGO_URL',
  get localValue() {
    return `mongodb://127.0.0.1:${stackPorts().mongo}`;
  },
  get ports() {
    return [stackPorts().mongo];
  },
  describe: () =>
    mongod() ? 'mongod from PATH' : `FerretDB ${FERRETDB_VERSION} (${ferretBackend()} back end)`,
  after: 'postgres',
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
    await runOrThrow(
      'sh',
      ['-c', `go mod download -json github.com/FerretDB/FerretDB@${FERRETDB_VERSION} > ${info}`],
      'FerretDB download',
      { cwd: work, env },
    );
    const moduleDir = (JSON.parse(fs.readFileSync(info, 'utf8')) as { Dir: string }).Dir;
    const src = path.join(work, 'src');
    fs.cpSync(moduleDir, src, { recursive: true });
    await runOrThrow('chmod', ['-R', 'u+w', src], 'FerretDB build');
    // The module zip lacks build/version/version.txt and the binary panics without it (FerretDB issue 2982).
    fs.writeFileSync(path.join(src, 'build/version/version.txt'), FERRETDB_VERSION);
    patchIdIndexUse(src);
    patchPostgresIndexes(src);
    await runOrThrow('go', ['build', '-o', path.join(work, 'ferretdb'), './cmd/ferretdb'], 'FerretDB build', {
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
    const backend =
      ferretBackend() === 'sqlite'
        ? ['--handler=sqlite', `--sqlite-url=file:${path.join(dir, 'data')}/`]
        : ['--handler=postgresql', `--postgresql-url=${postgresUrl()}`];
    return {
      cmd: ferretBinary(),
      // FerretDB allocates a document tree per row it decodes: under load a quarter of its CPU went to
      // the garbage collector (pprof, lifecycle bench). Collecting less often trades memory for CPU.
      env: { GOGC: process.env.GOGC ?? '400' },
      args: [
        ...backend,
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
