import { describe, expect, test } from '@jest/globals';
import { resolveStrategy, runSimulation } from '../../src/sim/run.js';
import { loadScenario } from '../../src/sim/scenarios/load.js';
import type { Scenario } from '../../src/sim/scenarios/schema.js';

/**
 * Warm pools (issue 16): the built-in `warm-pool` scenario through the in-process door, which runs
 * scale-up's real top-up on its one-minute schedule and scale-down's real keep quota. Budgeted by
 * simulated hours, never by wall-clock time.
 */
const WARM = loadScenario('warm-pool');
const SIZE = 10;
const quarantine = resolveStrategy('quarantine');

function withoutWarmPool(scenario: Scenario): Scenario {
  const pools = Object.fromEntries(
    Object.entries(scenario.pools).map(([name, pool]) => [name, { ...pool, warmPool: [] }]),
  ) as Scenario['pools'];
  return { ...scenario, name: `${scenario.name} [cold]`, pools };
}

describe('the warm-pool scenario', () => {
  test('through the HTTP door the real scale-up handler takes the schedule event and tops up', async () => {
    // Prepare: a rule that always holds (upstream's rate form), a quiet pool
    const scenario: Scenario = {
      ...WARM,
      pools: { linux: { ...WARM.pools['linux']!, warmPool: [{ cron: 'rate(1 minute)', timeZone: 'UTC', size: 3 }] } },
      workload: [{ ...WARM.workload[0]!, ratePerMinute: 0.5, windows: [{ fromMinute: 0, toMinute: 60 }] }],
    };
    // Act
    const { accounting, door } = await runSimulation({
      scenario,
      strategy: quarantine,
      seed: 1,
      hours: 1,
      door: 'http',
    });
    // Assess: the jobs found warm runners; the pool was filled ahead of them
    expect(door).toBe('http');
    expect(accounting.queueWaitSeconds.p50).toBeLessThanOrEqual(3);
    expect(accounting.instancesLaunched).toBeGreaterThanOrEqual(accounting.jobsSubmitted + 3);
  });

  test('office-hours jobs start on warm runners: median wait at most 3 s, nothing killed or leaked', async () => {
    const { accounting } = await runSimulation({ scenario: WARM, strategy: quarantine, seed: 1 });
    expect(accounting.jobsSubmitted).toBeGreaterThan(1000);
    expect(accounting.queueWaitSeconds.p50).toBeLessThanOrEqual(3);
    expect(accounting.jobsKilled).toBe(0);
    expect(accounting.instancesLeaked).toBe(0);
    expect(accounting.jobsQueuedAtEnd).toBe(0);
  });

  test('the same load without the warm pool waits for boots (what the top-up buys)', async () => {
    const { accounting } = await runSimulation({ scenario: withoutWarmPool(WARM), strategy: quarantine, seed: 1 });
    expect(accounting.queueWaitSeconds.p50).toBeGreaterThan(30);
  });

  test('scale-down keeps the warm runners while the rule holds: about one launch per job, not churn', async () => {
    // Without the keep quota, scale-down retires each warm runner past its minimum running time
    // and the next top-up launches it again (measured: 1,443 launches for 1,307 jobs).
    const { accounting } = await runSimulation({ scenario: WARM, strategy: quarantine, seed: 1 });
    expect(accounting.instancesLaunched).toBeLessThanOrEqual(accounting.jobsSubmitted + 2 * SIZE);
  });

  test('after hours the warm runners retire through the protocol: none is left at the end of the day', async () => {
    const result = await runSimulation({ scenario: WARM, strategy: quarantine, seed: 2 });
    const live = [...result.world.ec2.instances.values()].filter((i) => i.state === 'pending' || i.state === 'running');
    // The night trickle may hold a runner or two at midnight; the ten warm ones are gone.
    expect(live.length).toBeLessThan(SIZE / 2);
    expect(result.accounting.jobsKilled).toBe(0);
  });
});
