// A script of its own, not a `require.main === module` block in compose.ts: bundled into a service
// (tools/stack/src/build-services.ts), such a block would run in the service.
import fs from 'node:fs';
import { composeSupergraph } from './compose';
import { supergraphPath } from './subgraphs';

/** `npm run schema:compose` writes schema/supergraph.graphql; `-- --check` fails when it is stale. */
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
