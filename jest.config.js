/**
 * Jest runs the TypeScript ESM sources through @swc/jest (fast, no type check: `tsc --noEmit` runs
 * first in `npm test`). Run it through `npm test`, which sets NODE_OPTIONS for ESM.
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The build's output (`npm run build`) holds compiled copies of test/bench: never a test or a module here.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
  // Quiets the one oidc-provider warning every test file would repeat (see the file).
  setupFiles: ['<rootDir>/test/helpers/quiet-runtime-warning.ts'],
  testTimeout: 30000,
  // Two workers on two cores: most test time is waiting on sockets and Chromium, not CPU.
  maxWorkers: 2,
};
