/**
 * Issue 17: a run starts no more retirements per owner than GitHub's write limits let it finish
 * within the run (`maxNewRetirementsPerOwner`), so no runner waits marked for later runs; the
 * hard bound and retirements under way are never held back.
 */
import { expect, test } from '@jest/globals';
import { planScaleDown } from '../../../src/core/scale-down/plan.js';
import { makeConfig } from '../world.js';
import { NOW, inst, observe, quarantined, runner } from './plan-fixtures.js';

const idle = (n: number, org = false) =>
  Array.from({ length: n }, (_, i) => {
    const id = `i-${org ? 'o' : 'r'}${i}`;
    return inst({ id, org, ageMin: 30 + i, runner: runner({ id: (org ? 10_000 : 0) + i + 1, name: id }) });
  });

test('past the per-owner budget, idle surplus stays in service for the next run; each owner has its own budget', () => {
  const cfg = makeConfig({ maxNewRetirementsPerOwner: 3 });
  const plan = planScaleDown(observe([...idle(5), ...idle(4, true)]), cfg, NOW);
  const started = (owner: string) => plan.actions.filter((a) => a.ownerKey === owner && a.kind === 'retire').length;
  expect([started('acme/app'), started('acme')]).toEqual([3, 3]);
  expect(plan.skipped.filter((s) => s.reason === 'write-budget')).toHaveLength(3);
});

test('the default leaves room under 180 writes a minute per endpoint', () => {
  const plan = planScaleDown(observe(idle(200)), makeConfig(), NOW);
  expect(plan.actions).toHaveLength(150);
  expect(plan.skipped.filter((s) => s.reason === 'write-budget')).toHaveLength(50);
});

test('the hard bound and retirements under way are never held back by the budget', () => {
  const cfg = makeConfig({ maxNewRetirementsPerOwner: 1 }, { maximumLifetimeHours: 1 });
  const instances = [
    ...idle(2),
    inst({ id: 'i-old', ageMin: 2 * 60, runner: runner({ id: 900, name: 'i-old', busy: true }) }),
    inst({ id: 'i-retiring', lifecycle: quarantined, runner: runner({ id: 901, name: 'i-retiring' }) }),
  ];
  const plan = planScaleDown(observe(instances), cfg, NOW);
  const ids = plan.actions.map((a) => a.instanceId);
  expect(ids).toEqual(expect.arrayContaining(['i-old', 'i-retiring']));
  expect(ids.filter((id) => id.startsWith('i-r') && id !== 'i-retiring')).toHaveLength(1);
  expect(plan.skipped.map((s) => s.reason)).toContain('write-budget');
});
