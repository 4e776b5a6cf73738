import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { composeSupergraph } from '../src/compose';
import { readSupergraph } from '../src/subgraphs';

const repoRoot = path.resolve(__dirname, '../..');

describe('schema composition', () => {
  it('should compose the three subgraphs into the committed supergraph', () => {
    expect(composeSupergraph()).toBe(readSupergraph());
  });

  it('should have generated resolver types and typed documents that match the SDL and documents', () => {
    // graphql-codegen --check exits 1 when a generated file would change: the resolver types and the
    // typed documents of every `*.graphql` operations file (codegen.ts lists them).
    const result = spawnSync(
      path.join(repoRoot, 'node_modules/.bin/graphql-codegen'),
      ['--config', 'codegen.ts', '--check'],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    expect({
      status: result.status,
      output: result.status === 0 ? '' : result.stdout + result.stderr,
    }).toEqual({ status: 0, output: '' });
  });
});
