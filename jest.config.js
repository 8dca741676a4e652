/**
 * Jest runs the TypeScript ESM sources through @swc/jest (fast, no type check: `tsc --noEmit` runs
 * first in `npm test`). Run it through `npm test`, which sets NODE_OPTIONS for ESM.
 * @type {import('jest').Config}
 */
export default {
  // jest's node environment, with a watchdog for a file that never ends (see the file).
  testEnvironment: '<rootDir>/test/helpers/hang-watchdog.ts',
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
  // Three workers on two cores: much of a file's time is waiting on sockets, child processes and
  // Chromium, not CPU. A worker is replaced once it holds 700 MB after a file: every file loads the
  // platform's modules again in its own VM context, and a worker grown past 1.5 GB spent its time in GC
  // (the suite took 138 s with 2 workers and no limit, 114 s like this).
  maxWorkers: 3,
  workerIdleMemoryLimit: '700MB',
};
