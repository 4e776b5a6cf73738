import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../src/paths';

/** Where each kind of service builds its route table (the object given to createHttpServer). */
const routeTables = {
  subgraph: 'common/src/subgraph.ts',
  gateway: 'gateway/src/server.ts',
  worker: 'events/src/worker.ts',
} as const;

/**
 * The paths a kind of service serves, read from its route table in the source: the keys of the
 * object literal passed to `createHttpServer({ ... }, fallback?)`.
 */
export function servedPaths(kind: keyof typeof routeTables): string[] {
  const source = fs.readFileSync(path.join(repoRoot, routeTables[kind]), 'utf8');
  const call = source.indexOf('createHttpServer(');
  const start = call < 0 ? -1 : source.indexOf('{', call);
  if (start < 0) throw new Error(`${routeTables[kind]} builds no createHttpServer route table`);
  // The table runs to the `}` at the indentation of the line that opens it; its keys are one level in.
  const lineStart = source.lastIndexOf('\n', start) + 1;
  const indent = /^ */.exec(source.slice(lineStart))?.[0] ?? '';
  const end = source.indexOf(`\n${indent}}`, start);
  if (end < 0) throw new Error(`${routeTables[kind]}: the route table does not end`);
  const table = source.slice(start, end);
  const key = new RegExp(`^${indent}  '(/[^']*)':`, 'gm');
  return [...table.matchAll(key)].map((m) => m[1] ?? '');
}
