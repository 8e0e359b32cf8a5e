/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/lambdas/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  // Two workers, never in band: on a 2-core machine jest's default (cores - 1) runs every file in
  // jest's own process, where the module registries of ninety ESM test files pile up and the
  // explorer ran eleven times slower than alone (933 s against 85 s). Workers are recycled once
  // they hold this much memory after a file.
  maxWorkers: 2,
  workerIdleMemoryLimit: '1GB',
  // Sockets and timers of a test must be closed by the test itself.
  forceExit: false,
  // A hang detector, not a budget (issue 11): tests are budgeted by seeds and simulated time, and
  // the slowest takes about two minutes on an idle 2-core machine. Thirty minutes only catches a
  // test that will never finish, whatever else the machine is doing, and leaves CI's 90 minutes.
  testTimeout: 30 * 60_000,
};
