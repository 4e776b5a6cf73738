import fs from 'node:fs';
import path from 'node:path';
import { Kind, parse } from 'graphql';

/**
 * Where the schema files are: the repository, two levels above this file when it runs from source;
 * the bundle's own directory when it runs bundled (dist/<service>.js), where the build copies them
 * (tools/stack/src/build-services.ts). Chosen by the file that must be there, not by how we run.
 */
const sourceRoot = path.resolve(__dirname, '../..');
const repoRoot =
  [sourceRoot, __dirname].find((dir) => fs.existsSync(path.join(dir, 'schema', 'src', 'live.graphql'))) ??
  sourceRoot;

/** One name everywhere: folder = subgraph name = compose service. Ports are the local defaults. */
export const subgraphs = [
  { name: 'drivers', port: 4001 },
  { name: 'passengers', port: 4002 },
  { name: 'trips', port: 4003 },
] as const;

export type SubgraphName = (typeof subgraphs)[number]['name'];

export const sdlPath = (name: SubgraphName) =>
  path.join(repoRoot, 'subgraphs', name, 'src', 'schema.graphql');
export const supergraphPath = path.join(repoRoot, 'schema', 'supergraph.graphql');

/** The `@live` directive's definition, shared by every subgraph that declares live fields. */
export const liveDirectivePath = path.join(repoRoot, 'schema', 'src', 'live.graphql');
/** The schema files the services read at run time (relative to the root), for the build to copy. */
export const runtimeSchemaFiles = [
  ...subgraphs.map(({ name }) => path.relative(repoRoot, sdlPath(name))),
  path.relative(repoRoot, supergraphPath),
  path.relative(repoRoot, liveDirectivePath),
];
export const LIVE_SPEC_URL = 'https://rideshare.dev/live/v1.0';

/** Whether an SDL imports `@live` with `@link` (read from the parsed document, not its text). */
function linksLiveSpec(sdl: string): boolean {
  return parse(sdl).definitions.some(
    (d) =>
      (d.kind === Kind.SCHEMA_EXTENSION || d.kind === Kind.SCHEMA_DEFINITION) &&
      (d.directives ?? []).some(
        (directive) =>
          directive.name.value === 'link' &&
          (directive.arguments ?? []).some(
            (a) => a.name.value === 'url' && a.value.kind === Kind.STRING && a.value.value === LIVE_SPEC_URL,
          ),
      ),
  );
}

/** A subgraph's SDL as its server and composition use it: its file, plus `@live` when it links it. */
export function readSdl(name: SubgraphName): string {
  const sdl = fs.readFileSync(sdlPath(name), 'utf8');
  return linksLiveSpec(sdl) ? `${sdl}\n${fs.readFileSync(liveDirectivePath, 'utf8')}` : sdl;
}

export function readSupergraph(): string {
  return fs.readFileSync(supergraphPath, 'utf8');
}

/** The URL a subgraph is reached at: <NAME>_URL, else its local default. */
export function subgraphUrl(name: SubgraphName, env: NodeJS.ProcessEnv = process.env): string {
  const port = subgraphs.find((s) => s.name === name)?.port ?? 0;
  return env[`${name.toUpperCase()}_URL`] || `http://127.0.0.1:${port}/graphql`;
}
