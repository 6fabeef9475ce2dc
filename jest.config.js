// One runner, four kinds of test told apart by file suffix so each can be run alone.
const base = {
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@ledger/domain$': '<rootDir>/libs/domain/src',
    '^@ledger/domain/(.*)$': '<rootDir>/libs/domain/src/$1',
    '^@ledger/event-store$': '<rootDir>/libs/event-store/src',
    '^@ledger/event-store/(.*)$': '<rootDir>/libs/event-store/src/$1',
    '^@ledger/read-models$': '<rootDir>/libs/read-models/src',
    '^@ledger/read-models/(.*)$': '<rootDir>/libs/read-models/src/$1',
    '^@ledger/integrity$': '<rootDir>/libs/integrity/src',
    '^@ledger/integrity/(.*)$': '<rootDir>/libs/integrity/src/$1',
    '^@ledger/contracts$': '<rootDir>/libs/contracts/src',
    '^@ledger/contracts/(.*)$': '<rootDir>/libs/contracts/src/$1',
  },
};

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/**/*.unit.spec.ts'], testPathIgnorePatterns: ['/node_modules/', '/dist/'] },
    { ...base, displayName: 'int', testMatch: ['<rootDir>/**/*.int.spec.ts'], testPathIgnorePatterns: ['/node_modules/', '/dist/'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/**/*.e2e.spec.ts'], testPathIgnorePatterns: ['/node_modules/', '/dist/'] },
  ],
};
