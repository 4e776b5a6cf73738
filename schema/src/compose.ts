import fs from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { readSdl, subgraphs, subgraphUrl, supergraphPath } from './subgraphs';

/** Composes the subgraph SDLs into a supergraph, or throws listing every composition error. */
export function composeSupergraph(): string {
  const result = composeServices(
    subgraphs.map(({ name }) => ({ name, url: subgraphUrl(name, {}), typeDefs: parse(readSdl(name)) })),
  );
  if (result.errors)
    throw new Error(`composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  return result.supergraphSdl;
}

/** `npm run schema:compose` writes schema/supergraph.graphql; `-- --check` fails when it is stale. */
if (require.main === module) {
  const supergraph = composeSupergraph();
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(supergraphPath) ? fs.readFileSync(supergraphPath, 'utf8') : '';
    if (current !== supergraph) {
      console.error('schema/supergraph.graphql is stale: run `npm run schema:compose` and commit it');
      process.exit(1);
    }
    console.log('supergraph is up to date');
  } else {
    fs.writeFileSync(supergraphPath, supergraph);
    console.log(`wrote ${supergraphPath}`);
  }
}
