import fs from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');

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

export function readSdl(name: SubgraphName): string {
  return fs.readFileSync(sdlPath(name), 'utf8');
}

export function readSupergraph(): string {
  return fs.readFileSync(supergraphPath, 'utf8');
}

/** The URL a subgraph is reached at: <NAME>_URL, else its local default. */
export function subgraphUrl(name: SubgraphName, env: NodeJS.ProcessEnv = process.env): string {
  const port = subgraphs.find((s) => s.name === name)?.port ?? 0;
  return env[`${name.toUpperCase()}_URL`] || `http://127.0.0.1:${port}/graphql`;
}
