// Benchmarks only: `npx jest --config bench/jest.bench.config.js`. The root config's
// testMatch (*.unit/int/e2e.spec.ts) never picks up *.bench.ts, so `npm test` does not run them.
const path = require('node:path');
const root = require('../jest.config.js');

const [base] = root.projects;

module.exports = {
  rootDir: path.resolve(__dirname, '..'),
  displayName: 'bench',
  transform: base.transform,
  moduleFileExtensions: base.moduleFileExtensions,
  moduleNameMapper: base.moduleNameMapper,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/bench/**/*.bench.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // One file at a time: timings must not compete with each other for the CPU.
  maxWorkers: 1,
  testTimeout: 60 * 60 * 1000,
};
