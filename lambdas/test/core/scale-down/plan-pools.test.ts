import { describe, expect, test } from '@jest/globals';
import { NOW, config, runner, inst, observe, outcomeOf } from './plan-fixtures.js';
import { MIN, makeConfig } from '../world.js';
import { planScaleDown } from '../../../src/core/scale-down/plan.js';

describe('planScaleDown: pools and quotas', () => {
  test('the idle quota keeps the newest runners under oldest_first', () => {
    // Prepare
    const cfg = makeConfig({}, { idleConfig: [{ cron: '* * * * *', idleCount: 1 }] });
    const instances = [
      inst({ id: 'i-old', ageMin: 60 }),
      inst({ id: 'i-mid', ageMin: 40 }),
      inst({ id: 'i-new', ageMin: 20 }),
    ];
    // Act
    const plan = planScaleDown(observe(instances), cfg, NOW);
    // Assess
    expect(plan.actions.map((a) => a.instanceId).sort()).toEqual(['i-mid', 'i-old']);
    expect(plan.skipped).toEqual([expect.objectContaining({ instanceId: 'i-new', reason: 'kept-idle' })]);
  });

  test('busy and young runners do not count toward the quota', () => {
    const cfg = makeConfig({}, { idleConfig: [{ cron: '* * * * *', idleCount: 1 }] });
    const instances = [
      inst({ id: 'i-a', ageMin: 60 }),
      inst({ id: 'i-busy', ageMin: 60, runner: runner({ id: 8, name: 'i-busy', busy: true }) }),
      inst({ id: 'i-young', ageMin: 1 }),
    ];
    const plan = planScaleDown(observe(instances), cfg, NOW);
    expect(plan.actions).toEqual([]);
    expect(plan.skipped.find((s) => s.instanceId === 'i-a')?.reason).toBe('kept-idle');
  });

  test('reusable pool: an instance between registrations is surplus capacity', () => {
    const cfg = makeConfig({}, { ephemeral: false });
    const observation = observe([inst({ runner: null, agent: { state: 'exited', atMs: NOW - MIN } })]);
    expect(outcomeOf(observation, 'i-1', cfg)).toMatchObject({ kind: 'retire', from: 'mark' });
    expect(outcomeOf(observation, 'i-1', cfg)).not.toHaveProperty('runnerId');
  });

  test.each([
    [3, { reason: 'young' }],
    [5, { kind: 'retire', from: 'mark' }],
  ])(
    'reusable pool: an instance between registrations launched %i min ago (minimum running time 5): %j',
    (ageMin, expected) => {
      const cfg = makeConfig({}, { ephemeral: false, minimumRunningTimeMinutes: 5 });
      const observation = observe([inst({ runner: null, ageMin, agent: { state: 'exited', atMs: NOW - MIN } })]);
      expect(outcomeOf(observation, 'i-1', cfg)).toMatchObject(expected);
    },
  );

  test('reusable pool with jobs waiting keeps instances between registrations for scale-up', () => {
    const cfg = makeConfig({}, { ephemeral: false });
    const observation = observe([inst({ runner: null, agent: { state: 'exited', atMs: NOW - MIN } })], { repo: 1 });
    expect(outcomeOf(observation, 'i-1', cfg)).toMatchObject({ reason: 'jobs-waiting' });
  });

  test('every instance gets exactly one outcome', () => {
    const instances = ['a', 'b', 'c', 'd'].map((s, i) => inst({ id: `i-${s}`, ageMin: 10 + i * 10 }));
    const plan = planScaleDown(observe(instances), config, NOW);
    expect(plan.actions.length + plan.skipped.length).toBe(4);
  });
});
