import fc from 'fast-check';
import type { Scenario } from './model.js';

/**
 * For the tests that switch a protocol mechanism off (explorer-mutant-*.test.ts): explores orders
 * until one kills a job (S1; a leak alone does not end the search). The explorer is imported here,
 * at call time, so the core it drives is the one the calling test file mocked.
 */
export async function searchCounterexample(
  scenarios: fc.Arbitrary<Scenario>,
  numRuns: number,
  seed: number,
): Promise<{ readonly failed: boolean; readonly runs: number; readonly found?: string }> {
  const { describeViolation, explore } = await import('./explore.js');
  const { explorerConfig } = await import('./model.js');
  const config = explorerConfig();
  let found: string | undefined;
  const result = await fc.check(
    fc.asyncProperty(scenarios, fc.scheduler(), async (scenario, scheduler) => {
      const outcome = await explore(scenario, scheduler, config);
      if (outcome.kills.length === 0) return true;
      found ??= describeViolation(outcome);
      return false;
    }),
    // The first failing order is enough: no shrinking.
    { numRuns, seed, endOnFailure: true },
  );
  return { failed: result.failed, runs: result.numRuns, ...(found === undefined ? {} : { found }) };
}
