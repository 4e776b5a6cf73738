import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { readSdl, subgraphs, subgraphUrl } from './subgraphs';

/** Composes the subgraph SDLs into a supergraph, or throws listing every composition error. */
export function composeSupergraph(): string {
  const result = composeServices(
    subgraphs.map(({ name }) => ({ name, url: subgraphUrl(name, {}), typeDefs: parse(readSdl(name)) })),
  );
  if (result.errors)
    throw new Error(`composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  return result.supergraphSdl;
}
