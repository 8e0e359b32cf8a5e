/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/lambdas/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  // Sockets and timers of a test must be closed by the test itself.
  forceExit: false,
  // A hang detector, not a budget (issue 11): tests are budgeted by seeds and simulated time, and
  // the slowest takes about two minutes on an idle 2-core machine. Thirty minutes only catches a
  // test that will never finish, whatever else the machine is doing, and leaves CI's 90 minutes.
  testTimeout: 30 * 60_000,
};
