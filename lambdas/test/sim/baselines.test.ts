import { describe, expect, test } from '@jest/globals';
import { IDLE_SINCE_TAG } from '../../src/sim/baselines/confirm-window.js';
import { BASELINES, resolveStrategy, STRATEGIES } from '../../src/sim/control-plane/strategies.js';
import { TAG } from '../../src/core/tags.js';
import { MIN, T0, TERMINATED, World } from '../core/world.js';

/** The simulator's strategies: ours and the baselines it injects (sim/baselines; none ships). */
const getStrategy = (name: string) => resolveStrategy(name).strategy;

describe('strategy registry', () => {
  test('every strategy is registered under its own name; the baselines are the ones not ours', () => {
    for (const [name, entry] of Object.entries(STRATEGIES)) expect(entry.strategy.name).toBe(name);
    expect(Object.keys(STRATEGIES).sort()).toEqual(
      ['confirm-window', 'deregister-recheck', 'naive', 'quarantine', 'sequential'].sort(),
    );
    expect([...BASELINES].sort()).toEqual(['confirm-window', 'deregister-recheck', 'naive']);
  });

  test('an unknown name fails with the list of known names', () => {
    expect(() => getStrategy('yolo')).toThrow(/unknown strategy "yolo" \(known: quarantine, sequential, naive/);
    expect(() => getStrategy('toString')).toThrow(/unknown strategy/);
  });
});

describe('deregister-recheck baseline', () => {
  test('DELETE then GET: the 404 after a successful DELETE is read as idle, so it terminates', async () => {
    // Prepare: GitHub's view lags; the agent knows a job runs
    const world = new World();
    await world.addRunner({ id: 'i-1', agent: `busy:5@${T0 - MIN}` });
    // Act
    const report = await getStrategy('deregister-recheck').run(world.context());
    // Assess: it terminated a working instance (the flaw the quarantine protocol fixes)
    expect(report.retired).toBe(1);
    expect(world.spy.github.calls).toEqual(['listRunners', 'listRunners', 'deleteRunner', 'getRunner']);
    expect(await world.state('i-1')).toMatch(TERMINATED);
  });

  test('a DELETE answered 422 skips the runner', async () => {
    const world = new World();
    const { runnerId } = await world.addRunner({ id: 'i-1' });
    world.spy.github.before('deleteRunner', () => world.github.setBusy(runnerId!, true));
    const report = await getStrategy('deregister-recheck').run(world.context());
    expect(report).toMatchObject({ retired: 0, skippedBusy: 1 });
    expect(await world.state('i-1')).toBe('running');
  });
});

describe('confirm-window baseline', () => {
  test('two not-busy readings at least the window apart, then deregister and terminate', async () => {
    // Prepare
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    const strategy = getStrategy('confirm-window');
    // Act
    const first = await strategy.run(world.context());
    const firstTag = await world.tag('i-1', IDLE_SINCE_TAG);
    world.clock.advance(4 * MIN);
    const early = await strategy.run(world.context());
    world.clock.advance(2 * MIN);
    const late = await strategy.run(world.context());
    // Assess
    expect(firstTag).toBe(String(T0));
    expect(first.retired + early.retired).toBe(0);
    expect(late.retired).toBe(1);
    expect(await world.state('i-1')).toMatch(TERMINATED);
  });

  test('a busy reading resets the window', async () => {
    const world = new World();
    const { runnerId } = await world.addRunner({ id: 'i-1' });
    const strategy = getStrategy('confirm-window');
    await strategy.run(world.context());
    world.github.setBusy(runnerId!, true);
    world.clock.advance(10 * MIN);
    await strategy.run(world.context());
    expect(await world.tag('i-1', IDLE_SINCE_TAG)).toBeUndefined();
    world.github.setBusy(runnerId!, false);
    world.clock.advance(1 * MIN);
    const report = await strategy.run(world.context());
    expect(report.retired).toBe(0);
    expect(await world.state('i-1')).toBe('running');
  });

  test('baselines terminate unregistered instances past the boot time (orphans) on the second run', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1', registered: false, launchedMinutesAgo: 20, agent: `busy:1@${T0}` });
    const strategy = getStrategy('confirm-window');
    await strategy.run(world.context());
    const report = await strategy.run(world.context());
    expect(report.orphansTerminated).toBe(1);
    expect(await world.tag('i-1', TAG.orphan)).toBe(String(T0));
  });
});

describe('sequential', () => {
  test('retires like quarantine, one call at a time', async () => {
    // Prepare
    const world = new World();
    for (const id of ['i-1', 'i-2', 'i-3']) await world.addRunner({ id });
    let inFlight = 0;
    let peak = 0;
    world.spy.github.before('setCustomLabels', async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
    });
    // Act
    const report = await getStrategy('sequential').run(world.context());
    // Assess
    expect(report.retired).toBe(3);
    expect(peak).toBe(1);
  });
});
