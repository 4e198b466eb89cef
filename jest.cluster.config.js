// Jest for the cluster test (npm run test:cluster): a Temporal server built from go.temporal.io/server
// on PostgreSQL with 4 history shards, hookrelay's migrate, API and two workers as the processes
// `npm run build` makes. It starts everything itself: no shared test stack.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['**/test/cluster/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: undefined,
  globalTeardown: undefined,
  reporters: ['default'],
  testTimeout: 900_000,
  maxWorkers: 1,
};
