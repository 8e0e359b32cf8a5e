import { describe, expect, test } from '@jest/globals';
import { runScaleDown } from '../../../src/core/scale-down/index.js';
import { TransientError } from '../../../src/errors.js';
import { World } from '../world.js';

/**
 * The edges of quarantine.ts (issue 13, mutation testing): the org quarantine group is refused
 * when it admits any repository, a failed lookup is not remembered, and an org runner given back
 * returns to its pool's group.
 */
describe('the org quarantine group', () => {
  test('a group of that name limited to some repositories is refused too, with a message that says how to fix it', async () => {
    // Prepare: visibility "selected", but one repository admitted
    const world = new World();
    await world.github.createRunnerGroup('acme', {
      name: 'ghr-quarantine',
      visibility: 'selected',
      selectedRepositoryIds: [5],
    });
    await world.addRunner({ id: 'i-1', pool: 'org' });

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.quarantined).toBe(0);
    expect(report.retired).toBe(0);
    const failed = world.log.lines.find((l) => l.message === 'scale-down step failed');
    expect(JSON.stringify(failed?.attributes)).toContain(
      'runner group \\"ghr-quarantine\\" of acme admits repositories; quarantine needs a group with visibility \\"selected\\" and no repositories',
    );
  });

  test('a failed lookup is not remembered: the next runner of the same org asks again and is quarantined', async () => {
    // Prepare: two org runners, handled one at a time; the first group lookup fails
    const world = new World();
    world.config.concurrency.perOwner = 1;
    await world.addRunner({ id: 'i-1', pool: 'org' });
    await world.addRunner({ id: 'i-2', pool: 'org' });
    world.github.failNext('listRunnerGroups', new TransientError('GitHub 502'));

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.quarantined).toBe(1);
    expect(world.spy.github.calls.filter((c) => c === 'listRunnerGroups')).toHaveLength(2);
  });
});

test('an org runner given back for a waiting job returns to its pool’s runner group', async () => {
  // Prepare: a job arrives while the run waits
  const world = new World();
  const { runnerId } = await world.addRunner({ id: 'i-1', pool: 'org' });
  const unhook = world.spy.clock.after('sleep', async () => {
    unhook();
    await world.sqs.sendMessage(world.config.pools['org']!.queueUrl, '{"job":1}');
  });

  // Act
  const report = await runScaleDown(world.context());

  // Assess
  expect(report.returnedToService).toBe(1);
  const runner = (await world.runners()).find((r) => r.id === runnerId);
  expect(runner?.runnerGroupId).toBe(world.config.pools['org']!.runnerGroupId);
});
