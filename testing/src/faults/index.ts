// The fault suite's harness (gateway/tests/faults): a fleet of drivers, waves of demo trips, the
// faults, the supervisor that restarts what gives up, the invariants and the fault table.
export * from './consumer-progress';
export * from './evidence';
export * from './fault-list';
export * from './fault-table';
export * from './fleet';
export * from './recovery';
export * from './suite-env';
export * from './supervisor';
export * from './wave';
export * from './wave-checks';
