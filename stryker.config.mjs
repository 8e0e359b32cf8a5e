// Mutation testing of the retirement protocol (issue 13): `npm run test:mutation`. Not part of
// `npm test`. docs/safety.md ("Mutation testing") says what it mutates, the score and every survivor.
//
// Stryker 9.6.1, not 10: 10.x requires Node >= 22 and refuses to start on the Node 20 this project
// supports (engines ">=20.19"). Move to 10 when development and CI are on Node 22.

const EXPLORER = process.env.STRYKER_EXPLORER === '1';
// The explorer's mutation share (lambdas/test/support/budget.ts); the test runners inherit it.
if (EXPLORER) process.env.TEST_MUTATION = '1';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: ['lambdas/src/core/scale-down/**/*.ts'],
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    // Run the suites below for every mutant: jest's related-test lookup does not follow our `.js`
    // import specifiers (moduleNameMapper), so it skipped suites that kill mutants (checked by hand).
    enableFindRelatedTests: false,
    // The suites that exercise the protocol directly, in about 5 s. The simulator's property and
    // fault suites also run it, but take minutes per mutant; they stay in `npm test`. The
    // interleaving explorer joins with STRYKER_EXPLORER=1, at its mutation share (TEST_MUTATION:
    // 2,000 distinct orders) and last (the sequencer): about three times slower in all.
    config: {
      testMatch: ['<rootDir>/lambdas/test/core/scale-down/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', EXPLORER ? '/explorer-mutant' : '/explorer'],
      testSequencer: '<rootDir>/lambdas/test/support/mutation-sequencer.mjs',
    },
  },
  // Our jest runs in ESM mode (jest.config.js, ts-jest `useESM`): its child processes need the flag too.
  testRunnerNodeArgs: ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning'],
  // No type checker: it type-checked the whole project per mutant and took most of the time. A
  // mutant that would not compile still runs (Stryker marks instrumented files `@ts-nocheck`);
  // such a survivor is named in the report like any other and explained in docs/safety.md.
  checkers: [],
  // Each covered mutant runs the protocol's suites until one fails. Not 'perTest': with jest in ESM
  // mode it attributed tests wrongly and reported killed mutants as survivors (checked by hand).
  coverageAnalysis: 'all',
  // The machine has 2 cores: two test runners. Pass `--concurrency 1` to leave room for other work.
  concurrency: 2,
  // A mutant is a timeout when its suites overrun dry-run time × 1.5 + this. Stryker's 5 s made
  // slow survivors (a settle wait polling every 10 ms instead of every 10 s) "timeouts" on a busy
  // machine, counted as detected: re-run with 30 s, 14 of 33 such timeouts survived
  // (docs/safety.md, "Timeouts"). A mutant that hangs fails its test at jest's 5-s limit instead.
  timeoutMS: 15000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowEmojis: false, logTests: false, reportTests: false },
  thresholds: { high: 90, low: 80, break: null },
  // The sandbox only needs what the tests read: sources, tests, configs, modules' generated files.
  ignorePatterns: ['.ci', 'dist', 'coverage', 'reports', 'examples', '.terraform', '*.tfstate*'],
  tempDirName: '.stryker-tmp',
};
