// Two tiers, chosen by file suffix: `*.test.ts` are unit tests (no services),
// `*.e2e.ts` are integration tests against the real Kafka, MongoDB-protocol server and Redis.
// A third, the fault suite (`tests/faults/`), crashes and restarts services and infrastructure for
// a quarter of an hour: only `npm run test:faults` (RIDESHARE_FAULT_SUITE=1) includes it.
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const common = {
  transform,
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  modulePathIgnorePatterns: ['<rootDir>/.stack/'],
};
const faultSuite = { ...common, displayName: 'faults', testMatch: ['**/tests/faults/**/*.e2e.ts'] };

/** @type {import('jest').Config} */
module.exports = {
  // Integration tests start real processes; a global option, as Jest ignores it per project.
  testTimeout: 120_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/tests/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['**/tests/**/*.e2e.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/tests/faults/'],
    },
    ...(process.env.RIDESHARE_FAULT_SUITE === '1' ? [faultSuite] : []),
  ],
};
