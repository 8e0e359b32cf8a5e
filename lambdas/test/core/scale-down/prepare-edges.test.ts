import { describe, expect, test } from '@jest/globals';
import { runScaleDown } from '../../../src/core/scale-down/index.js';
import { chunk } from '../../../src/core/scale-down/prepare.js';
import { TransientError } from '../../../src/errors.js';
import { TAG, decodeLifecycle } from '../../../src/core/tags.js';
import { MIN, makeConfig, REPO, World } from '../world.js';

/**
 * The edges of prepare.ts (issue 13, mutation testing): batches, a lease taken over between two
 * phases, a runner taken by a job before its quarantine, what a mark of an instance past its
 * lifetime says, and the step a failed write names.
 */

test('chunk cuts a list into batches of at most the given size, in order', () => {
  expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  expect(chunk([], 500)).toEqual([]);
});

describe('marking and quarantine', () => {
  test('a lease taken over after the orphan steps stops the marks: the next phase writes nothing', async () => {
    // Prepare: an orphan to tag and a candidate; another run takes the lease once the orphan is tagged
    const world = new World();
    await world.addRunner({ id: 'i-orphan', registered: false, agent: '' });
    await world.addRunner({ id: 'i-idle' });
    const name = world.config.lease.parameterName;
    world.spy.ec2.after('createTags', async ({ args: [, tags] }) => {
      if (tags[TAG.orphan] === undefined) return;
      await world.ssm.deleteParameter(name);
      const value = JSON.stringify({ holder: 'other', expiresAtMs: world.clock.now() + 900_000 });
      await world.ssm.putParameter({ name, value, type: 'String', overwrite: false });
    });

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.quarantined).toBe(0);
    expect(await world.tag('i-idle', TAG.lifecycle)).toBeUndefined();
    expect(world.metrics.get('leaseLost')).toBe(1);
  });

  // A consumed registration takes no job and scale-up gives a marked instance no other: the bound of
  // guarantee 2 runs from here, so a long job (or an agent lying `busy`) cannot defer it.
  test('a runner a job took between the plan and its quarantine is counted taken, not an error; the quarantine time is recorded once', async () => {
    // Prepare: the JIT registration is consumed (deleted from the list) as the quarantine begins
    const world = new World();
    const { runnerId } = await world.addRunner({ id: 'i-1' });
    world.spy.github.before('setCustomLabels', async () => {
      await world.github.deleteRunner(REPO, runnerId!);
    });

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.quarantined).toBe(0);
    expect(report.errors).toBe(0);
    expect(report.counts?.taken).toBe(1);
    const first = decodeLifecycle(await world.tag('i-1', TAG.lifecycle));
    expect(first).toEqual(expect.objectContaining({ phase: 'quarantined', quarantinedMs: world.clock.now() }));
    expect(world.log.lines.some((l) => l.message === 'runner taken or gone before quarantine')).toBe(true);
  });

  test('a mark says why: past its lifetime (counted, a warning) or surplus (an info line)', async () => {
    // Prepare: one instance past its 1 h lifetime, one young enough
    const world = new World(makeConfig({}, { maximumLifetimeHours: 1 }));
    await world.addRunner({ id: 'i-old', launchedMinutesAgo: 120 });
    await world.addRunner({ id: 'i-new', launchedMinutesAgo: 30 });

    // Act
    await runScaleDown(world.context());

    // Assess
    expect(world.metrics.get('pastLifetime')).toBe(1);
    const lines = (message: string) =>
      world.log.lines.filter((l) => l.message === message).map((l) => l.attributes?.['instanceId']);
    expect(lines('runner marked retiring: past its maximum lifetime')).toEqual(['i-old']);
    expect(lines('runner marked retiring')).toEqual(['i-new']);
    expect(lines('runner quarantined').sort()).toEqual(['i-new', 'i-old']);
  });

  test('a failed mark write names its step; so does a failed claim of an earlier run’s mark', async () => {
    // Prepare: a mark waiting for an answer from an earlier run, and a new candidate; every
    // lifecycle and fence write fails
    const world = new World();
    world.ackAgents = false;
    await world.addRunner({ id: 'i-waiting' });
    await runScaleDown(world.context());
    world.clock.advance(5 * MIN);
    await world.setTags('i-waiting', { [TAG.agentState]: `idle@${world.clock.now()}` });
    await world.addRunner({ id: 'i-new' });
    world.spy.ec2.before('createTags', ({ args: [, tags] }) => {
      if (tags[TAG.fence] !== undefined) throw new TransientError('EC2 500');
    });

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.quarantined).toBe(0);
    const steps = world.log.lines
      .filter((l) => l.message === 'scale-down step failed')
      .map((l) => l.attributes?.['step']);
    expect(steps).toEqual(expect.arrayContaining(['claim', 'lifecycle-tag']));
  });
});
