// Jest: TypeScript through SWC; one PostgreSQL and one Temporal dev server for the whole run.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Fault tests stop and restart whole stacks: `npm run test:faults` (jest.faults.config.js); the
  // cluster test builds and runs a self-hosted Temporal server: `npm run test:cluster` (jest.cluster.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/faults/', '<rootDir>/test/cluster/'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // After the summary, a line for each suite not run for want of something (a browser) and how to run it.
  reporters: ['default', '<rootDir>/test/support/not-run-reporter.js'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
