/**
 * Test budgets are counted in seeds and simulated hours, never in wall-clock time (issue 11): a
 * deterministic test must pass on a slow or busy machine exactly as on a fast one.
 *
 * `npm test` runs the CI share of every heavy suite; `npm run test:deep` (TEST_DEEP=1) runs the
 * same suites at the nightly size. Both shares are named next to each suite, and the README lists
 * them, so nothing checked in depth is dropped silently from CI.
 */
export const DEEP = process.env['TEST_DEEP'] === '1';

/**
 * `npm run test:mutation` (stryker.config.mjs sets TEST_MUTATION=1): suites that also kill mutants
 * of the protocol run a small share per mutant, so a mutant only they see is still caught.
 */
export const MUTATION = process.env['TEST_MUTATION'] === '1';

/** The CI share, or the deep share under `npm run test:deep`, or the mutation share when given. */
export function budget<T>(ci: T, deep: T, mutation: T = ci): T {
  if (MUTATION) return mutation;
  return DEEP ? deep : ci;
}
