import { describe, expect, test } from '@jest/globals';
import { STRATEGIES, resolveStrategy, runSimulation } from '../../src/sim/run.js';
import { loadScenario, parseScenario } from '../../src/sim/scenarios/load.js';
import type { ScenarioInput } from '../../src/sim/scenarios/schema.js';

/**
 * Every registered strategy runs unchanged against the world. Accounting invariants hold
 * for all; our protocol (quarantine, sequential) kills no job (architecture.md S1).
 */
describe.each(Object.keys(STRATEGIES))('strategy %s in the simulator', (name) => {
  test('steady, 4 h: every job is accounted for and nothing leaks', async () => {
    // Act
    const { accounting: a } = await runSimulation({
      scenario: loadScenario('steady'),
      strategy: resolveStrategy(name),
      seed: 5,
      hours: 4,
    });
    // Assess
    expect(a.jobsCompleted + a.jobsKilled + a.jobsLostToSpot + a.jobsQueuedAtEnd + a.jobsRunningAtEnd).toBe(
      a.jobsSubmitted,
    );
    expect(a.instancesLeaked).toBe(0);
    expect(a.idleInstanceHours).toBeLessThanOrEqual(a.instanceHours);
    if (name === 'quarantine' || name === 'sequential') expect(a.jobsKilled).toBe(0);
  });
});

describe('our protocol on the production timelines that kill with naive', () => {
  const timelines: [string, ScenarioInput['timeline'], number][] = [
    [
      'assigned 3 s before the check',
      [{ atSeconds: 597, pool: 'linux', durationSeconds: 600, busyLagSeconds: 30, staleFalse: [], runner: 0 }],
      10,
    ],
    [
      'busy reads false 12 min 15 s into the job',
      [
        {
          atSeconds: 120,
          pool: 'linux',
          durationSeconds: 1800,
          busyLagSeconds: 2,
          staleFalse: [{ offsetSeconds: 735, seconds: 300 }],
          runner: 0,
        },
      ],
      5,
    ],
  ];
  test.each(timelines)(
    '%s: quarantine, long-lived registration, the job completes',
    async (_title, timeline, everyMinutes) => {
      // Prepare
      const scenario = parseScenario(
        {
          name: 'scripted',
          hours: 1,
          scaleDown: { everyMinutes, config: {} },
          pools: { linux: { ephemeral: false, maxRunners: 1, prelaunch: 1, registration: 'token' } },
          timeline,
        },
        'test',
      );
      // Act
      const result = await runSimulation({ scenario, strategy: resolveStrategy('quarantine'), seed: 1 });
      // Assess
      expect(result.world.github.jobs.get(1)?.status).toBe('completed');
      expect(result.accounting.jobsKilled).toBe(0);
    },
  );
});
