import { describe, expect, test } from '@jest/globals';
import { TimelineRecorder } from '../../src/sim/report/cli.js';
import { RUNNER_STATES, Sampler } from '../../src/sim/report/sampler.js';
import { resolveStrategy, runSimulation, type SimulationResult } from '../../src/sim/run.js';
import { loadScenario } from '../../src/sim/scenarios/load.js';
import type { Timeline } from '../../src/sim/report/sampler.js';
import { testWorld } from '../sim/helpers.js';

async function sampled(
  scenario: string,
  strategy: string,
  hours: number,
): Promise<{ result: SimulationResult; timeline: Timeline }> {
  const recorder = new TimelineRecorder();
  const result = await runSimulation({
    scenario: loadScenario(scenario),
    strategy: resolveStrategy(strategy),
    hours,
    seed: 5,
    onStart: recorder.onStart,
  });
  return { result, timeline: recorder.finish() };
}

const last = (values: readonly number[]): number | undefined => values[values.length - 1];

describe('report sampler', () => {
  test('samples every simulated minute, start and end included', async () => {
    // Act
    const { timeline } = await sampled('steady', 'quarantine', 2);
    // Assess
    expect(timeline.atMs).toHaveLength(2 * 60 + 1);
    expect(timeline.atMs.slice(0, 3)).toEqual([0, 60_000, 120_000]);
    expect(last(timeline.atMs)).toBe(2 * 3_600_000);
    for (const column of [timeline.queued, timeline.completed, timeline.killed, timeline.instances]) {
      expect(column).toHaveLength(timeline.atMs.length);
    }
  });

  test('the last sample agrees with the accounting', async () => {
    // Act
    const { result, timeline } = await sampled('lag-heavy', 'naive', 3);
    // Assess
    const a = result.accounting;
    expect(a.jobsKilled).toBeGreaterThan(0);
    expect(last(timeline.killed)).toBe(a.jobsKilled);
    expect(last(timeline.lostToSpot)).toBe(a.jobsLostToSpot);
    expect(last(timeline.completed)).toBe(a.jobsCompleted);
    expect(last(timeline.queued)).toBe(a.jobsQueuedAtEnd);
    const alive = [...result.world.ec2.instances.values()].filter(
      (i) => i.state === 'pending' || i.state === 'running',
    ).length;
    expect(last(timeline.instances)).toBe(alive);
  });

  test('runner states add up to the instances alive, and cumulative counts never fall', async () => {
    // Act
    const { timeline } = await sampled('steady', 'quarantine', 3);
    // Assess
    timeline.instances.forEach((alive, i) => {
      expect(RUNNER_STATES.reduce((sum, state) => sum + timeline.runners[state][i]!, 0)).toBe(alive);
    });
    for (const column of [timeline.completed, timeline.killed]) {
      expect(column.every((v, i) => i === 0 || v >= column[i - 1]!)).toBe(true);
    }
    expect(Math.max(...timeline.runners.busy)).toBeGreaterThan(0);
    expect(Math.max(...timeline.runners.booting)).toBeGreaterThan(0);
    // Quarantine marks runners before it retires them: the lifecycle tag shows in the chart.
    expect(Math.max(...timeline.runners.retiring, ...timeline.runners.quarantined)).toBeGreaterThan(0);
  });

  test('sampling only reads: the same event log with and without it', async () => {
    // Prepare
    const options = { scenario: loadScenario('lag-heavy'), strategy: resolveStrategy('naive'), hours: 2, seed: 9 };
    // Act
    const plain = await runSimulation(options);
    const recorder = new TimelineRecorder();
    const withSampler = await runSimulation({ ...options, onStart: recorder.onStart });
    // Assess
    expect(withSampler.eventLogDigest).toBe(plain.eventLogDigest);
    expect(withSampler.accounting).toEqual(plain.accounting);
  });

  test('finish without a start is an error; an idle world samples zeros', async () => {
    // Prepare
    const world = testWorld();
    const sampler = new Sampler(world, world.startMs + 5 * 60_000).start();
    // Act
    await world.engine.run(world.startMs + 5 * 60_000);
    const timeline = sampler.finish();
    // Assess
    expect(() => new TimelineRecorder().finish()).toThrow('never started');
    expect(timeline.atMs).toHaveLength(6);
    expect(timeline.instances.every((n) => n === 0)).toBe(true);
    expect(timeline.queued.every((n) => n === 0)).toBe(true);
  });
});
