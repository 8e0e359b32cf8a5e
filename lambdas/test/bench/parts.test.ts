import { describe, expect, test } from '@jest/globals';
import { costOfSafety, type SafetyRow } from '../../src/bench/safety.js';
import { withRegistrations } from '../../src/sim/scenarios/variants.js';
import { table } from '../../src/bench/table.js';
import { parseScenario } from '../../src/sim/scenarios/load.js';

function row(strategy: string, instanceHours: number, idleInstanceHours: number): SafetyRow {
  return {
    scenario: 's',
    strategy,
    mode: 'own',
    seeds: 1,
    simulatedHours: 1,
    jobsSubmitted: 1,
    jobsCompleted: 1,
    jobsKilled: 0,
    instancesLeaked: 0,
    instanceHours,
    idleInstanceHours,
    githubCalls: 1,
    assignedWhileQuarantining: 0,
    guardAFailures: 0,
    guardBSaves: 0,
  };
}

describe('bench parts', () => {
  test('registration variants pin every pool, and guard (b) only where asked', () => {
    // Prepare
    const scenario = parseScenario(
      { name: 'x', pools: { reusable: { ephemeral: false }, ephemeral: { ephemeral: true } } },
      'test',
    );

    // Act
    const token = withRegistrations(scenario, 'token');
    const jit = withRegistrations(scenario, 'jit');
    const cancels = withRegistrations(scenario, 'jit-delete-cancels');

    // Assess
    expect(Object.values(token.pools).map((p) => p.registration)).toEqual(['token', 'token']);
    expect(Object.values(jit.pools).map((p) => p.registration)).toEqual(['jit', 'jit']);
    expect([jit.world.github.jitDeleteCancels, cancels.world.github.jitDeleteCancels]).toEqual([false, true]);
    expect(withRegistrations(scenario, 'own')).toBe(scenario);
    expect(scenario.pools.reusable?.registration).toBe('strategy');
  });

  test('cost of safety: quarantine over naive, per scenario and mode', () => {
    // Act
    const cost = costOfSafety([row('naive', 10, 4), row('confirm-window', 30, 9), row('quarantine', 12, 0)]);

    // Assess
    expect(cost).toEqual([
      {
        scenario: 's',
        mode: 'own',
        naiveInstanceHours: 10,
        quarantineInstanceHours: 12,
        instanceHoursRatio: 1.2,
        naiveIdleInstanceHours: 4,
        quarantineIdleInstanceHours: 0,
        idleInstanceHoursRatio: 0,
      },
    ]);
  });

  test('tables align numbers right and text left', () => {
    // Act
    const text = table(
      'T',
      ['name', 'n'],
      [
        ['a', 1],
        ['bbb', 1.5],
      ],
    );

    // Assess
    expect(text.split('\n')).toEqual(['## T', 'name      n', '----  -----', 'a         1', 'bbb   1.500', '']);
  });
});
