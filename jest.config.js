/** @type {import('jest').Config} */
export default {
  testEnvironment: '<rootDir>/test/quick-exit-environment.mjs',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // A safety net against a hung test, not a measure: tests wait for events, and on a loaded
  // 2-core machine (another suite beside this one) a test that spawns many processes takes minutes.
  testTimeout: 300_000,
  // Twice as many workers as cores: a test waits on its processes much of the time, and other
  // files keep both cores busy then (with three, the cores were idle 12 % of the suite; with four, 5 %).
  maxWorkers: 4,
  globalSetup: '<rootDir>/test/compile-cache-setup.mjs',
  globalTeardown: '<rootDir>/test/compile-cache-teardown.mjs',
  testSequencer: '<rootDir>/test/slow-first-sequencer.mjs',
  // Ends the workers once every result is in, without waiting for them to act on jest's "end".
  reporters: ['default', '<rootDir>/test/end-workers-reporter.mjs'],
};
