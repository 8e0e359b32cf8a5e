import { describe, expect, test } from '@jest/globals';
import { IDLE_SINCE_TAG } from '../../../src/core/strategies/confirm-window.js';
import { getStrategy, strategies } from '../../../src/core/strategies/index.js';
import { TAG } from '../../../src/core/tags.js';
import { ConfigError } from '../../../src/errors.js';
import { MIN, T0, World, makeConfig } from '../fakes/world.js';

describe('strategy registry', () => {
  test('every strategy is registered under its own name', () => {
    for (const [name, strategy] of Object.entries(strategies)) expect(strategy.name).toBe(name);
    expect(Object.keys(strategies).sort()).toEqual(
      ['confirm-window', 'deregister-recheck', 'naive', 'quarantine', 'sequential'].sort(),
    );
  });

  test('an unknown name fails with the list of valid names', () => {
    expect(() => getStrategy('yolo')).toThrow(ConfigError);
    expect(() => getStrategy('yolo')).toThrow(
      /valid names: confirm-window, deregister-recheck, naive, quarantine, sequential/,
    );
    expect(() => getStrategy('toString')).toThrow(ConfigError);
  });
});

describe('deregister-recheck baseline', () => {
  test('DELETE then GET: the 404 after a successful DELETE is read as idle, so it terminates', async () => {
    // Prepare: GitHub's view lags; the agent knows a job runs
    const world = new World();
    world.addRunner({ id: 'i-1', agent: `busy:5@${T0 - MIN}` });
    // Act
    const report = await getStrategy('deregister-recheck').run(world.context());
    // Assess: it terminated a working instance (the flaw the quarantine protocol fixes)
    expect(report.retired).toBe(1);
    expect(world.github.calls).toEqual(['listRunners', 'listRunners', 'deleteRunner', 'getRunner']);
    expect(world.state('i-1')).toBe('terminated');
  });

  test('a DELETE answered 422 skips the runner', async () => {
    const world = new World();
    const { runner } = world.addRunner({ id: 'i-1' });
    world.github.before = (call) => {
      if (call === 'deleteRunner') runner!.busy = true;
    };
    const report = await getStrategy('deregister-recheck').run(world.context());
    expect(report).toMatchObject({ retired: 0, skippedBusy: 1 });
    expect(world.state('i-1')).toBe('running');
  });
});

describe('confirm-window baseline', () => {
  test('two not-busy readings at least the window apart, then deregister and terminate', async () => {
    // Prepare
    const world = new World(makeConfig({ confirmWindowSeconds: 300 }));
    world.addRunner({ id: 'i-1' });
    const strategy = getStrategy('confirm-window');
    // Act
    const first = await strategy.run(world.context());
    const firstTag = world.tag('i-1', IDLE_SINCE_TAG);
    world.clock.nowMs += 4 * MIN;
    const early = await strategy.run(world.context());
    world.clock.nowMs += 2 * MIN;
    const late = await strategy.run(world.context());
    // Assess
    expect(firstTag).toBe(String(T0));
    expect(first.retired + early.retired).toBe(0);
    expect(late.retired).toBe(1);
    expect(world.state('i-1')).toBe('terminated');
  });

  test('a busy reading resets the window', async () => {
    const world = new World(makeConfig({ confirmWindowSeconds: 300 }));
    const { runner } = world.addRunner({ id: 'i-1' });
    const strategy = getStrategy('confirm-window');
    await strategy.run(world.context());
    runner!.busy = true;
    world.clock.nowMs += 10 * MIN;
    await strategy.run(world.context());
    expect(world.tag('i-1', IDLE_SINCE_TAG)).toBeUndefined();
    runner!.busy = false;
    world.clock.nowMs += 1 * MIN;
    const report = await strategy.run(world.context());
    expect(report.retired).toBe(0);
    expect(world.state('i-1')).toBe('running');
  });

  test('baselines terminate unregistered instances past the boot time (orphans) on the second run', async () => {
    const world = new World();
    world.addRunner({ id: 'i-1', registered: false, launchedMinutesAgo: 20, agent: `busy:1@${T0}` });
    const strategy = getStrategy('confirm-window');
    await strategy.run(world.context());
    const report = await strategy.run(world.context());
    expect(report.orphansTerminated).toBe(1);
    expect(world.tag('i-1', TAG.orphan)).toBe(String(T0));
  });
});

describe('sequential', () => {
  test('retires like quarantine, one call at a time', async () => {
    // Prepare
    const world = new World();
    for (const id of ['i-1', 'i-2', 'i-3']) world.addRunner({ id });
    let inFlight = 0;
    let peak = 0;
    const inner = world.github.setCustomLabels.bind(world.github);
    world.github.setCustomLabels = async (...args) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return inner(...args);
    };
    // Act
    const report = await getStrategy('sequential').run(world.context());
    // Assess
    expect(report.retired).toBe(3);
    expect(peak).toBe(1);
  });
});
