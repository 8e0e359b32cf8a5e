import { describe, expect, test } from '@jest/globals';
import { resolveStrategy, runSimulation } from '../../src/sim/run.js';
import { loadScenario } from '../../src/sim/scenarios/load.js';
import type { Scenario } from '../../src/sim/scenarios/schema.js';

/**
 * Spot interruptions (issue 16): the built-in `spot-reclaim` scenario. EC2's warning reaches the real
 * scale-up through the world's EventBridge rule, the world's GitHub fails each job whose instance it
 * reclaims and sends `completed`, and the real webhook and scale-up ask for the re-run. Budgeted by
 * simulated hours.
 */
const SPOT = loadScenario('spot-reclaim');
const quarantine = resolveStrategy('quarantine');

function withRerun(scenario: Scenario, rerun: boolean): Scenario {
  const pools = Object.fromEntries(
    Object.entries(scenario.pools).map(([name, pool]) => [name, { ...pool, rerunOnSpotInterruption: rerun }]),
  ) as Scenario['pools'];
  return { ...scenario, pools };
}

describe('the spot-reclaim scenario', () => {
  test('every job lost to a reclaimed spot instance is re-run, and the re-runs are served', async () => {
    const { accounting } = await runSimulation({ scenario: SPOT, strategy: quarantine, seed: 1 });
    expect(accounting.jobsLostToSpot).toBeGreaterThan(10);
    expect(accounting.jobsRequeuedAfterSpot).toBe(accounting.jobsLostToSpot);
    expect(accounting.jobsKilled).toBe(0);
    expect(accounting.instancesLeaked).toBe(0);
  });

  test('through the HTTP door too (the Octokit adapter calls the facade re-run route)', async () => {
    const { accounting, door } = await runSimulation({
      scenario: SPOT,
      strategy: quarantine,
      seed: 3,
      hours: 3,
      door: 'http',
    });
    expect(door).toBe('http');
    expect(accounting.jobsLostToSpot).toBeGreaterThan(0);
    expect(accounting.jobsRequeuedAfterSpot).toBe(accounting.jobsLostToSpot);
  });

  test('with re-runs off, the same losses stay lost (what the re-run buys)', async () => {
    const { accounting } = await runSimulation({ scenario: withRerun(SPOT, false), strategy: quarantine, seed: 1 });
    expect(accounting.jobsLostToSpot).toBeGreaterThan(10);
    expect(accounting.jobsRequeuedAfterSpot).toBe(0);
  });
});
