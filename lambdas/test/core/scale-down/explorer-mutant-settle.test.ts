import { describe, expect, jest, test } from '@jest/globals';
import type { VerdictInput } from '../../../src/core/scale-down/verdict.js';
import { scenarioArbitrary } from './explorer/scenario.js';

/**
 * The explorer can fail (issue 13): with the settle wait switched off, it finds an order that kills a
 * job. Two mechanisms make the re-check wait for the quarantine to take effect: the settle wait, and
 * the rule that only an answer to a mark made `QUARANTINE_EFFECT_MS` after the quarantine retires
 * (without the wait, the run re-marks and a later run retires). Both are switched off here — the
 * re-check follows the quarantine at once and trusts the first answer; with the wait alone off the
 * rule still keeps every job (the explorer found no kill in 5,000 runs). Its own file: the mocks
 * must be in place before the core is imported (explorer/mutant.ts imports it late).
 */
const demand = await import('../../../src/core/scale-down/demand.js');
jest.unstable_mockModule('../../../src/core/scale-down/demand.js', () => ({
  ...demand,
  settleWatchingDemand: async (_run: unknown, settling: readonly unknown[]) => [...settling],
}));
const verdict = await import('../../../src/core/scale-down/verdict.js');
jest.unstable_mockModule('../../../src/core/scale-down/verdict.js', () => ({
  ...verdict,
  recheckVerdict: (input: VerdictInput) => {
    const found = verdict.recheckVerdict(input);
    const answered = input.instance.agent?.ackMarkMs === input.markMs;
    return found.kind === 'remark' && answered ? { kind: 'retire' } : found;
  },
}));
const { searchCounterexample } = await import('./explorer/mutant.js');

describe('the explorer with the settle wait switched off', () => {
  test('finds an order that kills a job', async () => {
    // Act
    const search = await searchCounterexample(scenarioArbitrary, 5_000, 1);
    // Assert
    console.log(`counterexample after ${search.runs} runs:\n${search.found}`);
    expect(search.failed).toBe(true);
    expect(search.found).toMatch(/S1 violated/);
  });
});
