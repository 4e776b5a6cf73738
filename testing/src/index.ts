// The test-system harness for integration tests and benchmarks. The demo seed and the service
// launcher live in @rideshare/stack (`npm start` needs them too) and are re-exported here, so
// tests import from one package.
export * from './testing';
export * from './trip-testing';
export * from './faults';
export * from './trip-snapshots';
export * from './dead-letters';
export * from './entity-batching';
export {
  appServices,
  places,
  seedDrivers,
  seedIfEmpty,
  seedPassengers,
  startService,
  ensureWebBuild,
  type AppServiceName,
  type RunningService,
} from '@rideshare/stack';
export * from './alerts';
export * from './prometheus';
export * from './browser';
export * from './oidc-provider';
export * from './free-port';
