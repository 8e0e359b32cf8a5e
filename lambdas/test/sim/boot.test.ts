import { describe, expect, test } from '@jest/globals';
import { resolveStrategy, runSimulation } from '../../src/sim/run.js';
import { loadScenario, parseScenario } from '../../src/sim/scenarios/load.js';
import { withRunnerSource } from '../../src/sim/scenarios/variants.js';
import { drawBoot, type BootPhases, type RunnerSource } from '../../src/sim/world/boot.js';
import { defaultWorldParams } from '../../src/sim/world/params.js';
import { testWorld } from './helpers.js';

/** The first `count` boots a world with this source and seed draws (one per launched instance). */
function boots(runnerSource: RunnerSource, seed: number, count = 200): BootPhases[] {
  const world = testWorld({ boot: { runnerSource } }, [], seed);
  return Array.from({ length: count }, () => drawBoot(world.ctx));
}

describe('boot phases (issue 15)', () => {
  test('the runner fetch depends on the source: ami < cache < github, instance by instance', () => {
    // Act
    const ami = boots('ami', 11);
    const cache = boots('cache', 11);
    const github = boots('github', 11);
    // Assess
    expect([ami[0]?.source, cache[0]?.source, github[0]?.source]).toEqual(['ami', 'cache', 'github']);
    for (let i = 0; i < 200; i++) {
      expect(ami[i]!.fetchMs).toBe(0);
      expect(ami[i]!.unpackMs).toBe(0);
      expect(ami[i]!.totalMs).toBeLessThan(cache[i]!.totalMs);
      expect(cache[i]!.fetchMs).toBeLessThan(github[i]!.fetchMs);
      expect(cache[i]!.totalMs).toBeLessThan(github[i]!.totalMs);
      // Only the phases the source changes differ: the other draws are the same instance by instance.
      expect(ami[i]!.userDataStartMs).toBe(github[i]!.userDataStartMs);
      expect(cache[i]!.startMs).toBe(github[i]!.startMs);
      expect(cache[i]!.unpackMs).toBe(github[i]!.unpackMs);
    }
  });

  test('deterministic per seed; another seed draws other boots', () => {
    expect(boots('cache', 5)).toEqual(boots('cache', 5));
    expect(boots('cache', 6)).not.toEqual(boots('cache', 5));
  });

  test('the default source is the cache, and its boots stay inside world-model.md\u2019s 30\u201390 s', () => {
    // Act
    const drawn = boots(defaultWorldParams.boot.runnerSource, 3, 2000).map((b) => b.totalMs / 1000);
    // Assess
    expect(defaultWorldParams.boot.runnerSource).toBe('cache');
    expect(Math.min(...drawn)).toBeGreaterThanOrEqual(30);
    expect(Math.max(...drawn)).toBeLessThanOrEqual(90);
  });

  test('a scenario chooses the source; a bad one is refused by its field', () => {
    expect(withRunnerSource(loadScenario('steady'), 'ami').world.boot.runnerSource).toBe('ami');
    expect(loadScenario('steady').world.boot.runnerSource).toBe('cache');
    expect(() =>
      parseScenario({ name: 'x', pools: {}, world: { boot: { runnerSource: 'floppy' } } }, 'x.json'),
    ).toThrow(/world\.boot\.runnerSource/);
  });

  test('a run records each boot\u2019s source in the event log, and reports its boot times', async () => {
    // Prepare
    const scenario = withRunnerSource(loadScenario('burst'), 'github');
    // Act
    const result = await runSimulation({
      scenario,
      strategy: resolveStrategy('quarantine'),
      seed: 1,
      hours: 1,
      keepLog: true,
    });
    // Assess
    const booted = result.world.eventLog.all().filter((line) => line.includes(' host.booted '));
    expect(booted.length).toBeGreaterThan(0);
    expect(booted.every((line) => line.includes(' source=github '))).toBe(true);
    expect(result.boot.runnerSource).toBe('github');
    expect(result.boot.seconds.p50).toBeGreaterThanOrEqual(57);
    expect(result.boot.seconds.max).toBeLessThanOrEqual(158);
  });
});
