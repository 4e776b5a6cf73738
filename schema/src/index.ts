export * from './subgraphs';
export { composeSupergraph } from './compose';
