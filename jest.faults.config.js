// Jest for the fault tests (npm run test:faults): real processes, stacks they stop and restart,
// one scenario at a time, and a summary table of the figures at the end.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['**/test/faults/**/*.test.ts'],
  testPathIgnorePatterns: [],
  testTimeout: 600_000,
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/test/faults/summary-reporter.js'],
};
