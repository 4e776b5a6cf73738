import fs from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { runtimeSchemaFiles } from '@rideshare/schema';
import { repoRoot } from './paths';
import { appServices } from './services';

/**
 * `npm run build:services`: one JavaScript bundle per process of the image, `dist/<name>.js`, so the
 * image runs plain `node` with production dependencies only (no tsx). Our workspace packages
 * (@rideshare/*, TypeScript source) are bundled in; every other package stays a `require` of
 * node_modules, as installed by `npm ci --omit=dev`. The schema files the services read at run time
 * are copied into dist/ under their repository paths (schema/src/subgraphs.ts finds them there).
 */
export const imageEntries = [
  ...appServices.map(({ name, entry }) => ({ name, entry, traced: true })),
  // OpenTelemetry, required first by each traced bundle (the stack preloads the same file).
  { name: 'tracing', entry: 'common/src/tracing/register.ts', traced: false },
  // One-shot jobs of docker-compose.yml: the simulator's token, and the demo seed.
  { name: 'token', entry: 'gateway/src/auth/token-cli.ts', traced: false },
  { name: 'seed', entry: 'tools/stack/src/seed-cli.ts', traced: false },
  // The image's HEALTHCHECK and compose's health checks.
  { name: 'healthcheck', entry: 'tools/stack/src/healthcheck.ts', traced: false },
];

/**
 * A service bundle starts tracing before anything else runs, so the instrumentations wrap http,
 * kafkajs, mongodb and ioredis when the bundle first requires them (they stay node_modules requires).
 */
const TRACING_FIRST = 'require("./tracing.js");';

/** Bare imports other than our own packages are left to node_modules. */
const thirdPartyExternal: Plugin = {
  name: 'third-party-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@rideshare/') ? undefined : { path: args.path, external: true },
    );
  },
};

export async function buildServices(outDir = path.join(repoRoot, 'dist')): Promise<void> {
  fs.rmSync(outDir, { recursive: true, force: true });
  const bundle = (traced: boolean) =>
    build({
      absWorkingDir: repoRoot,
      entryPoints: Object.fromEntries(
        imageEntries.filter((e) => e.traced === traced).map(({ name, entry }) => [name, entry]),
      ),
      outdir: outDir,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      plugins: [thirdPartyExternal],
      metafile: true,
      logLevel: 'warning',
      banner: traced ? { js: TRACING_FIRST } : undefined,
    });
  const outputs = (await Promise.all([bundle(true), bundle(false)])).flatMap((r) =>
    Object.entries(r.metafile.outputs),
  );
  for (const [out, { entryPoint, inputs }] of outputs) {
    const scripts = Object.keys(inputs).filter(
      (file) =>
        file !== entryPoint &&
        /require\.main\s*===\s*module/.test(fs.readFileSync(path.join(repoRoot, file), 'utf8')),
    );
    // In a bundle every module shares the entry's `module`: such a block would run in the service.
    if (scripts.length > 0)
      throw new Error(
        `${out} bundles modules that run as scripts (require.main === module): ${scripts.join(', ')}`,
      );
  }
  for (const file of runtimeSchemaFiles) {
    fs.mkdirSync(path.join(outDir, path.dirname(file)), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, file), path.join(outDir, file));
  }
}

if (require.main === module) {
  buildServices().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
