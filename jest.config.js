// Two tiers, chosen by file suffix: `*.test.ts` are unit tests (no services),
// `*.e2e.ts` are integration tests against the real Kafka, MongoDB-protocol server and Redis.
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const common = {
  transform,
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  modulePathIgnorePatterns: ['<rootDir>/.stack/'],
};

/** @type {import('jest').Config} */
module.exports = {
  // Integration tests start real processes; a global option, as Jest ignores it per project.
  testTimeout: 120_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/tests/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['**/tests/**/*.e2e.ts'] },
  ],
};
