import { describe, expect, test } from '@jest/globals';
import { runScaleDown } from '../../../src/core/scale-down/index.js';
import { DEMAND_POLL_SECONDS } from '../../../src/core/scale-down/demand.js';
import { TransientError } from '../../../src/errors.js';
import { TAG } from '../../../src/core/tags.js';
import { World } from '../world.js';

/**
 * Guarantee 3 of docs/safety.md while a run waits out its settle period (demand.ts): the pools'
 * queues are read every DEMAND_POLL_SECONDS and a candidate goes back for each job waiting, and only
 * one per job. The re-check after the wait gives candidates back too, so each test here says *when*
 * a candidate went back, or how many did, where the re-check alone would do otherwise.
 */

/** Runs `meanwhile` once, right after the run's first sleep of its settle wait. */
function afterFirstSleep(world: World, meanwhile: () => Promise<void>): void {
  const unhook = world.spy.clock.after('sleep', async () => {
    unhook();
    await meanwhile();
  });
}

/** Times (clock ms) at which a runner was given back: its mark deleted. */
function givenBackTimes(world: World): number[] {
  const times: number[] = [];
  world.spy.ec2.after('deleteTags', ({ args: [, keys] }) => {
    if (keys.includes(TAG.lifecycle)) times.push(world.clock.now());
  });
  return times;
}

const queueOf = (world: World) => world.config.pools['repo']!.queueUrl;

describe('demand while a run waits out its settle period', () => {
  test('a job queued during the wait takes a candidate back within one demand poll, not at the re-check', async () => {
    // Prepare
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    let queuedAt = 0;
    afterFirstSleep(world, async () => {
      queuedAt = world.clock.now();
      await world.sqs.sendMessage(queueOf(world), '{"job":1}');
    });
    const givenBack = givenBackTimes(world);

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.returnedToService).toBe(1);
    expect(givenBack).toHaveLength(1);
    expect(givenBack[0]! - queuedAt).toBeLessThanOrEqual(DEMAND_POLL_SECONDS * 1000);
  });

  // Before: each poll read the same job again (its message stays on the queue until scale-up or
  // GitHub has dealt with it), so one job took back a candidate every 10 s: all three here.
  test('one waiting job takes back one candidate, however many polls and the re-check read it', async () => {
    // Prepare
    const world = new World();
    for (const id of ['i-1', 'i-2', 'i-3']) await world.addRunner({ id });
    afterFirstSleep(world, async () => {
      await world.sqs.sendMessage(queueOf(world), '{"job":1}');
    });

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.returnedToService).toBe(1);
    expect(report.retired).toBe(2);
  });

  test('waiting jobs are every job message: visible, in flight at scale-up, and delayed (held)', async () => {
    // Prepare: three candidates; during the wait one job arrives, one is being handled, one is held
    const world = new World();
    for (const id of ['i-1', 'i-2', 'i-3', 'i-4']) await world.addRunner({ id });
    afterFirstSleep(world, async () => {
      const queueUrl = queueOf(world);
      await world.sqs.sendMessage(queueUrl, '{"job":1}');
      await world.sqs.receiveMessages(queueUrl, { maxMessages: 1, visibilityTimeoutSeconds: 900 });
      await world.sqs.sendMessage(queueUrl, '{"job":2}');
      await world.sqs.sendMessage(queueUrl, '{"job":3}', { delaySeconds: 900 });
    });

    // Act
    const report = await runScaleDown(world.context());

    // Assess: three back, the fourth retired
    expect(report.returnedToService).toBe(3);
    expect(report.retired).toBe(1);
  });

  test('jobs of another pool take back none of this pool’s candidates', async () => {
    // Prepare
    const world = new World();
    await world.addRunner({ id: 'i-1', pool: 'repo' });
    afterFirstSleep(world, async () => {
      await world.sqs.sendMessage(world.config.pools['org']!.queueUrl, '{"job":1}');
    });

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.returnedToService).toBe(0);
    expect(report.retired).toBe(1);
  });

  test('a queue that cannot be read is no demand: the run warns and retires as planned', async () => {
    // Prepare: the queue depth fails once the run waits (the planner's own read succeeded)
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    let failing = false;
    afterFirstSleep(world, async () => {
      failing = true;
      await world.sqs.sendMessage(queueOf(world), '{"job":1}');
    });
    world.spy.sqs.before('getQueueDepth', () => {
      if (failing) throw new TransientError('GetQueueAttributes failed');
    });

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.returnedToService).toBe(0);
    expect(report.retired).toBe(1);
    expect(world.log.lines.some((l) => l.level === 'warn' && l.message === 'queue depth unavailable')).toBe(true);
  });

  test('a run whose lease another run took over gives nothing back: the job waits for the lease holder', async () => {
    // Prepare: during the wait, another run takes the lease over and a job arrives
    const world = new World();
    const { runnerId } = await world.addRunner({ id: 'i-1' });
    afterFirstSleep(world, async () => {
      const name = world.config.lease.parameterName;
      await world.ssm.deleteParameter(name);
      const value = JSON.stringify({ holder: 'other', expiresAtMs: world.clock.now() + 900_000 });
      await world.ssm.putParameter({ name, value, type: 'String', overwrite: false });
      await world.sqs.sendMessage(queueOf(world), '{"job":1}');
    });

    // Act
    const report = await runScaleDown(world.context());

    // Assess: no write of any kind after the takeover
    expect(report.returnedToService).toBe(0);
    expect(report.retired).toBe(0);
    expect(await world.tag('i-1', TAG.lifecycle)).toBeDefined();
    expect(await world.registered(runnerId!)).toBe(true);
    expect(world.metrics.get('leaseLost')).toBe(1);
  });
});
