import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { composeSupergraph } from '../src/compose';
import { readSupergraph } from '../src/subgraphs';
import codegenConfig from '../../codegen';
import fs from 'node:fs';

const repoRoot = path.resolve(__dirname, '../..');

describe('schema composition', () => {
  it('should compose the three subgraphs into the committed supergraph', () => {
    expect(composeSupergraph()).toBe(readSupergraph());
  });

  it('should have generated resolver types that match the current SDL', async () => {
    const cwd = process.cwd();
    process.chdir(repoRoot);
    try {
      const outputs = await generate({ ...codegenConfig, silent: true }, false);
      for (const { filename, content } of outputs) {
        expect({
          filename,
          fresh: fs.readFileSync(path.resolve(repoRoot, filename), 'utf8') === content,
        }).toEqual({ filename, fresh: true });
      }
    } finally {
      process.chdir(cwd);
    }
  });
});
