import { describe, expect, test } from '@jest/globals';
import { costOfSafety, withLongLivedRegistrations, type SafetyRow } from '../../src/bench/safety.js';
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
  };
}

describe('bench parts', () => {
  test('long-lived mode pins reusable pools that follow the strategy, and nothing else', () => {
    // Prepare
    const scenario = parseScenario(
      {
        name: 'x',
        pools: {
          reusable: { ephemeral: false },
          ephemeral: { ephemeral: true },
          pinned: { ephemeral: false, registration: 'jit' },
        },
      },
      'test',
    );

    // Act
    const pools = withLongLivedRegistrations(scenario).pools;

    // Assess
    expect(pools.reusable?.registration).toBe('token');
    expect(pools.ephemeral?.registration).toBe('strategy');
    expect(pools.pinned?.registration).toBe('jit');
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
