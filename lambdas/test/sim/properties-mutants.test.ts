import { describe, expect, test } from '@jest/globals';
import { MUTANTS, mutantStrategy } from './support/mutants.js';
import { violation, type WorldCase } from './support/retirement-property.js';

/**
 * The main property of properties.test.ts must fail when any one mechanism of the protocol is
 * switched off: otherwise its "0 kills" would credit the protocol for what the world gives for free
 * (issue 13). Each mutant is run on cases from the property's own domain (`worldCases`), the first
 * of which turns up a violation; the unmutated protocol passes the same cases (properties.test.ts
 * draws from the same domain, and the last test here runs these very cases).
 */
const CASES: Readonly<Record<(typeof MUTANTS)[number], readonly WorldCase[]>> = {
  'no-quarantine': [
    { scenario: 'steady', variant: 'token', agentDeathChance: 0, seed: 1 },
    { scenario: 'lag-heavy', variant: 'jit-delete-cancels', agentDeathChance: 0, seed: 1 },
  ],
  'no-recheck': [
    { scenario: 'steady', variant: 'jit-delete-cancels', agentDeathChance: 0, seed: 1 },
    { scenario: 'lag-heavy', variant: 'token', agentDeathChance: 0, seed: 1 },
  ],
};

describe('the main safety property can fail', () => {
  test.each(MUTANTS)('with %s, it finds a violation', async (mutant) => {
    // Act: the cases in turn, until one violates the property
    let found: string | undefined;
    for (const c of CASES[mutant]) {
      found = await violation(c, mutantStrategy(mutant));
      if (found !== undefined) break;
    }
    // Assess
    expect({ mutant, found: found !== undefined }).toEqual({ mutant, found: true });
  });

  test('the protocol itself keeps the property on the same cases', async () => {
    for (const c of new Set(Object.values(CASES).flat())) expect(await violation(c)).toBeUndefined();
  });
});
