import { describe, expect, test } from '@jest/globals';
import { runScaleDown } from '../../../src/core/scale-down/index.js';
import { NotFoundError, TransientError } from '../../../src/errors.js';
import { TAG } from '../../../src/core/tags.js';
import { MIN, makeConfig, World } from '../world.js';

/**
 * The single steps of steps.ts (issue 13, mutation testing): an orphan's life — tagged, its last
 * check after the wait, kept on any sign of life, terminated when quiet — and a return to service
 * of a runner with or without a registration.
 */

/** Runs `meanwhile` once, right after the run's first sleep (the orphan's wait before its last check). */
function duringTheWait(world: World, meanwhile: () => Promise<void>): void {
  const unhook = world.spy.clock.after('sleep', async () => {
    unhook();
    await meanwhile();
  });
}

const messages = (world: World) => world.log.lines.map((l) => l.message);

/** An instance that never registered and whose agent never wrote, past its boot timeout. */
const addOrphan = (world: World) => world.addRunner({ id: 'i-orphan', registered: false, agent: '' });

describe('an orphan', () => {
  test('is tagged, waited for, re-read and terminated when nothing changed, each step said', async () => {
    const world = new World();
    await addOrphan(world);
    const report = await runScaleDown(world.context());
    expect(report.orphansTerminated).toBe(1);
    expect(await world.state('i-orphan')).not.toBe('running');
    expect(messages(world)).toEqual(expect.arrayContaining(['instance tagged orphan', 'orphan terminated']));
  });

  test.each([
    [
      'its agent wrote after the tag',
      async (w: World, tagMs: number) => w.setTags('i-orphan', { [TAG.agentState]: `idle@${tagMs + 1}` }),
    ],
    [
      'a lifecycle mark appeared',
      async (w: World, tagMs: number) => w.setTags('i-orphan', { [TAG.lifecycle]: `retiring@${tagMs + 1}` }),
    ],
    [
      'another run re-tagged it',
      async (w: World, tagMs: number) => w.setTags('i-orphan', { [TAG.orphan]: String(tagMs + 1) }),
    ],
    [
      'a job shows on it',
      async (w: World, tagMs: number) => w.setTags('i-orphan', { [TAG.agentState]: `busy:1@${tagMs - 1}` }),
    ],
  ])('is kept at its last check when %s', async (_name, change) => {
    // Prepare
    const world = new World();
    await addOrphan(world);
    duringTheWait(world, async () => {
      await change(world, Number(await world.tag('i-orphan', TAG.orphan)));
    });
    // Act
    const report = await runScaleDown(world.context());
    // Assess
    expect(report.orphansTerminated).toBe(0);
    expect(await world.state('i-orphan')).toBe('running');
    expect(messages(world)).toContain('orphan showed life; kept');
  });

  test('an agent write at the very moment of the tag is no sign of life', async () => {
    const world = new World();
    await addOrphan(world);
    duringTheWait(world, async () => {
      const tagMs = Number(await world.tag('i-orphan', TAG.orphan));
      await world.setTags('i-orphan', { [TAG.agentState]: `idle@${tagMs}` });
    });
    const report = await runScaleDown(world.context());
    expect(report.orphansTerminated).toBe(1);
  });

  test('tagged by the upstream module ("true", long ago): an old agent write does not spare it', async () => {
    // Prepare: the tag upstream writes, an agent that wrote once at boot, long ago
    const world = new World();
    await world.addRunner({
      id: 'i-orphan',
      registered: false,
      agent: `idle@${world.clock.now() - 29 * MIN}`,
      tags: { [TAG.orphan]: 'true' },
    });
    // Act
    const report = await runScaleDown(world.context());
    // Assess
    expect(report.orphansTerminated).toBe(1);
  });

  test('gone before its last check: nothing to do, no error', async () => {
    const world = new World();
    await addOrphan(world);
    duringTheWait(world, () => world.ec2.terminateInstances(['i-orphan']));
    const report = await runScaleDown(world.context());
    expect(report.errors).toBe(0);
    expect(report.orphansTerminated).toBe(0);
  });

  test('a last check that fails names its step', async () => {
    const world = new World();
    await addOrphan(world);
    world.spy.ec2.before('terminateInstances', () => {
      throw new TransientError('EC2 500');
    });
    await runScaleDown(world.context());
    const failed = world.log.lines.find((l) => l.message === 'scale-down step failed');
    expect(failed?.attributes).toMatchObject({ instanceId: 'i-orphan', step: 'terminate-orphan' });
  });

  test('an orphan that registered after all gets its tag cleared, said', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1', tags: { [TAG.orphan]: String(world.clock.now() - MIN) } });
    await runScaleDown(world.context());
    expect(await world.tag('i-1', TAG.orphan)).toBeUndefined();
    expect(messages(world)).toContain('orphan tag cleared');
  });
});

describe('return to service', () => {
  test('a registered runner: its quarantine undone, said with its registration', async () => {
    const world = new World();
    const { runnerId } = await world.addRunner({ id: 'i-1' });
    duringTheWait(world, async () => {
      await world.sqs.sendMessage(world.config.pools['repo']!.queueUrl, '{"job":1}');
    });
    await runScaleDown(world.context());
    const line = world.log.lines.find((l) => l.message === 'runner returned to service');
    expect(line?.attributes).toEqual({ instanceId: 'i-1', pool: 'repo', runnerId });
  });

  test('a registration gone since the observation (404 on the restore): the mark is still cleared, in the same run', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    world.spy.github.before('setCustomLabels', ({ args: [, , labels] }) => {
      // The restore (the pool's own labels back), not the quarantine label
      if (labels.includes('pool-a')) throw new NotFoundError('runner not found');
    });
    duringTheWait(world, async () => {
      await world.sqs.sendMessage(world.config.pools['repo']!.queueUrl, '{"job":1}');
    });
    const report = await runScaleDown(world.context());
    expect(report.returnedToService).toBe(1);
    expect(await world.tag('i-1', TAG.lifecycle)).toBeUndefined();
    expect(world.log.lines.filter((l) => l.message === 'scale-down step failed')).toEqual([]);
  });

  test('an instance between registrations: only its mark is cleared, nothing is asked of GitHub', async () => {
    const world = new World(makeConfig({}, { ephemeral: false }));
    await world.addRunner({ id: 'i-1', registered: false, agent: `exited@${world.clock.now() - MIN}` });
    let githubWrites = 0;
    world.spy.github.before(['setCustomLabels', 'addRunnerToGroup'], () => void githubWrites++);
    duringTheWait(world, async () => {
      await world.sqs.sendMessage(world.config.pools['repo']!.queueUrl, '{"job":1}');
    });
    const report = await runScaleDown(world.context());
    expect(report.returnedToService).toBe(1);
    expect(githubWrites).toBe(0);
    expect(await world.tag('i-1', TAG.lifecycle)).toBeUndefined();
    const line = world.log.lines.find((l) => l.message === 'runner returned to service');
    expect(line?.attributes).toEqual({ instanceId: 'i-1', pool: 'repo' });
  });

  test('two jobs that arrive at different polls take back two candidates', async () => {
    const world = new World();
    for (const id of ['i-1', 'i-2', 'i-3']) await world.addRunner({ id });
    const queueUrl = world.config.pools['repo']!.queueUrl;
    let sleeps = 0;
    world.spy.clock.after('sleep', async () => {
      sleeps++;
      if (sleeps === 1 || sleeps === 3) await world.sqs.sendMessage(queueUrl, `{"job":${sleeps}}`);
    });
    const report = await runScaleDown(world.context());
    expect(report.returnedToService).toBe(2);
    expect(report.retired).toBe(1);
  });
});
