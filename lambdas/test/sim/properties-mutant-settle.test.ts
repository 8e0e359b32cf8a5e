import { describe, expect, jest, test } from '@jest/globals';
import type { VerdictInput } from '../../src/core/scale-down/verdict.js';
import type { WorldCase } from './support/retirement-property.js';

/**
 * The main property of properties.test.ts must fail with the wait for the quarantine to take effect
 * switched off. Two mechanisms make that wait: the settle wait inside the run, and the rule that only
 * an idle answer to a mark made `QUARANTINE_EFFECT_MS` after the quarantine retires (verdict.ts; the
 * confirmation mark is written during the settle wait). With the settle wait alone off, the rule
 * still keeps every job (a later run retires instead), so both are switched off here. Its own file:
 * the mocks must be in place before the core is imported (the property's support is imported late).
 */
const demand = await import('../../src/core/scale-down/demand.js');
jest.unstable_mockModule('../../src/core/scale-down/demand.js', () => ({
  ...demand,
  settleWatchingDemand: async (_run: unknown, settling: readonly unknown[]) => [...settling],
}));
const verdict = await import('../../src/core/scale-down/verdict.js');
jest.unstable_mockModule('../../src/core/scale-down/verdict.js', () => ({
  ...verdict,
  recheckVerdict: (input: VerdictInput) => {
    const found = verdict.recheckVerdict(input);
    const answered = input.instance.agent?.ackMarkMs === input.markMs;
    return found.kind === 'remark' && answered ? { kind: 'retire' } : found;
  },
}));
const { violation } = await import('./support/retirement-property.js');

const CASES: readonly WorldCase[] = [
  { scenario: 'steady', variant: 'jit-delete-cancels', agentDeathChance: 0.05, seed: 1 },
  { scenario: 'chaos', variant: 'jit-delete-cancels', agentDeathChance: 0.05, seed: 1 },
  { scenario: 'lag-heavy', variant: 'token', agentDeathChance: 0.05, seed: 1 },
];

describe('the main safety property can fail', () => {
  test('with no wait for the quarantine to take effect, it finds a violation', async () => {
    let found: string | undefined;
    for (const c of CASES) {
      found = await violation(c);
      if (found !== undefined) break;
    }
    expect(found).toMatch(/jobs killed/);
  });
});
