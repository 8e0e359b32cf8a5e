import { describe, expect, test } from '@jest/globals';
import { runScaleDown } from '../../../src/core/scale-down/index.js';
import { FENCE_VISIBLE_MS } from '../../../src/core/scale-down/prepare.js';
import { ACK_WINDOW_MS, QUARANTINE_EFFECT_MS, confirmationDueMs } from '../../../src/core/scale-down/verdict.js';
import { RateLimitedError, TransientError } from '../../../src/errors.js';
import { TAG, decodeLifecycle } from '../../../src/core/tags.js';
import { MIN, makeConfig, World } from '../world.js';

/**
 * The edges of demand.ts (issue 13, mutation testing): what happens to a candidate given back while
 * the run waits when something else moves — another run's mark, an instance gone, a failed write,
 * EC2 throttling — and when the confirmation mark is written.
 */

function afterFirstSleep(world: World, meanwhile: () => Promise<void>): void {
  const unhook = world.spy.clock.after('sleep', async () => {
    unhook();
    await meanwhile();
  });
}

async function jobFor(world: World, pool: 'repo' | 'org' = 'repo'): Promise<void> {
  await world.sqs.sendMessage(world.config.pools[pool]!.queueUrl, '{"job":1}');
}

const customLabels = async (world: World) =>
  (await world.runners())[0]?.labels.filter((l) => l.type === 'custom').map((l) => l.name);

describe('giving back while the run waits', () => {
  test('the runner given back gets its labels back and carries no mark; nothing is left for the re-check', async () => {
    // Prepare
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    afterFirstSleep(world, () => jobFor(world));

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.returnedToService).toBe(1);
    expect(await customLabels(world)).toEqual(['pool-a']);
    expect(await world.tag('i-1', TAG.lifecycle)).toBeUndefined();
    expect(await world.tag('i-1', TAG.fence)).toBeUndefined();
    expect(world.metrics.get('fenceLost')).toBe(0);
  });

  test('each pool’s jobs take back that pool’s candidates only', async () => {
    // Prepare: one candidate per pool; a job waits in the org pool only
    const world = new World();
    await world.addRunner({ id: 'i-repo', pool: 'repo' });
    await world.addRunner({ id: 'i-org', pool: 'org' });
    afterFirstSleep(world, () => jobFor(world, 'org'));

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.returnedToService).toBe(1);
    expect(await world.tag('i-org', TAG.lifecycle)).toBeUndefined();
    expect(await world.state('i-org')).toBe('running');
    expect(await world.state('i-repo')).not.toBe('running');
  });

  test('a candidate past its maximum lifetime is never given back, even for a job that waits', async () => {
    // Prepare: launched 2 h ago in a pool whose instances live 1 h
    const world = new World(makeConfig({}, { maximumLifetimeHours: 1 }));
    await world.addRunner({ id: 'i-1', launchedMinutesAgo: 120 });
    afterFirstSleep(world, () => jobFor(world));

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.returnedToService).toBe(0);
    expect(report.retired).toBe(1);
  });

  test('a candidate EC2 warned of a spot reclaim is never given back, even for a job that waits', async () => {
    // Prepare: scale-up tagged the warning; a job arrives while the run waits
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    await world.setTags('i-1', { [TAG.spotInterruption]: '1' });
    afterFirstSleep(world, () => jobFor(world));

    // Act
    const report = await runScaleDown(world.context());

    // Assess: a job given to it would be lost with it
    expect(report.returnedToService).toBe(0);
    expect(report.retired).toBe(1);
  });

  test('a mark another run took over meanwhile is not given back by this run', async () => {
    // Prepare: during the wait another run writes its own fence on the mark, and a job arrives
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    afterFirstSleep(world, async () => {
      await world.setTags('i-1', { [TAG.fence]: '1' });
      await jobFor(world);
    });

    // Act
    const report = await runScaleDown(world.context());

    // Assess: left, marked, to the run that owns it
    expect(report.returnedToService).toBe(0);
    expect(report.retired).toBe(0);
    expect(await world.tag('i-1', TAG.lifecycle)).toBeDefined();
    expect(world.metrics.get('fenceLost')).toBeGreaterThan(0);
  });

  test('an instance that went meanwhile (spot, its own shutdown) is not given back', async () => {
    // Prepare
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    afterFirstSleep(world, async () => {
      await world.ec2.terminateInstances(['i-1']);
      await jobFor(world);
    });

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.returnedToService).toBe(0);
    expect(world.spy.github.calls.filter((c) => c === 'setCustomLabels')).toHaveLength(1); // the quarantine only
  });

  test('a give-back that fails is tried again at the re-check, and the failure is logged with its step', async () => {
    // Prepare: the first label restore fails
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    afterFirstSleep(world, () => jobFor(world));
    let restores = 0;
    world.spy.github.before('setCustomLabels', ({ args: [, , labels] }) => {
      if (labels.includes('pool-a') && restores++ === 0) throw new TransientError('GitHub 502');
    });

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.returnedToService).toBe(1);
    expect(await customLabels(world)).toEqual(['pool-a']);
    const failed = world.log.lines.find((l) => l.message === 'scale-down step failed');
    expect(failed?.attributes).toMatchObject({ instanceId: 'i-1', pool: 'repo', step: 'return-to-service' });
  });

  test('EC2 throttled while the run waits: nothing is given back or retired, and the run ends normally', async () => {
    // Prepare: a job arrives, then every EC2 call is throttled
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    let throttled = false;
    afterFirstSleep(world, async () => {
      await jobFor(world);
      throttled = true;
    });
    world.spy.ec2.before('*', () => {
      if (throttled) throw new RateLimitedError('RequestLimitExceeded');
    });

    // Act
    const report = await runScaleDown(world.context());

    // Assess: the mark is left for the next run
    expect(report.returnedToService).toBe(0);
    expect(report.retired).toBe(0);
    throttled = false;
    expect(decodeLifecycle(await world.tag('i-1', TAG.lifecycle))).toBeDefined();
  });
});

describe('the confirmation mark', () => {
  test('is written once the quarantine has surely taken effect, settle − 20 s after it, and retires at the re-check', async () => {
    // Prepare
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    const marks: { atMs: number; value: string }[] = [];
    world.spy.ec2.after('createTags', ({ args: [, tags] }) => {
      const value = tags[TAG.lifecycle];
      if (value !== undefined) marks.push({ atMs: world.clock.now(), value });
    });

    // Act
    const report = await runScaleDown(world.context());

    // Assess: retiring, quarantined, then the confirmation at q + max(65 s, settle − 20 s)
    expect(report.retired).toBe(1);
    const quarantined = marks.map((m) => decodeLifecycle(m.value)).filter((l) => l?.phase === 'quarantined');
    expect(quarantined).toHaveLength(2);
    const q = quarantined[0]!.phase === 'quarantined' ? quarantined[0]!.quarantinedMs : NaN;
    const due = confirmationDueMs(q, world.config.settleSeconds * 1000);
    expect(due).toBe(q + Math.max(QUARANTINE_EFFECT_MS, world.config.settleSeconds * 1000 - 20_000));
    expect(marks.at(-1)!.atMs).toBe(due);
    expect(quarantined[1]!.markMs).toBe(due);
  });

  test('a resumed candidate and a new one, quarantined at different times, are both confirmed after the later quarantine', async () => {
    // Prepare: i-old was quarantined 2 min ago by a run that stopped before confirming; i-new is new
    const world = new World();
    world.ackAgents = false;
    await world.addRunner({ id: 'i-old' });
    await runScaleDown(world.context()); // quarantines i-old; no answer, so it stays marked
    world.clock.advance(2 * MIN);
    world.ackAgents = true;
    await world.ack('i-old');
    await world.addRunner({ id: 'i-new' });

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.retired).toBe(2);
  });

  // Found by the hostile-runner scenario: a re-check resumed past its retirement bound confirmed and
  // re-read in the same instant, read its own fence and mark as another run's (tag reads lag writes),
  // and left the instance a period past its hard bound.
  test('a re-check resumed long after its settle period confirms once its fence shows, and re-checks an answer window later', async () => {
    // Prepare: a run quarantined i-1 but could not confirm (EC2 refused the write); 20 minutes
    // pass; the agent answers the first mark, which earns the confirmation mark
    const world = new World();
    world.ackAgents = false;
    await world.addRunner({ id: 'i-1' });
    let lifecycleWrites = 0;
    const unhook = world.spy.ec2.before('createTags', ({ args: [, tags] }) => {
      if (tags[TAG.lifecycle] !== undefined && ++lifecycleWrites === 3) throw new TransientError('EC2 500');
    });
    await runScaleDown(world.context());
    unhook();
    world.clock.advance(20 * MIN);
    world.ackAgents = true;
    await world.ack('i-1');
    const startMs = world.clock.now();
    const marks: number[] = [];
    let terminatedMs = NaN;
    world.spy.ec2.after('createTags', ({ args: [, tags] }) => {
      if (tags[TAG.lifecycle] !== undefined) marks.push(world.clock.now());
    });
    world.spy.ec2.before('terminateInstances', () => {
      terminatedMs = world.clock.now();
    });

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.retired).toBe(1);
    expect(marks).toHaveLength(1);
    expect(marks[0]).toBeGreaterThanOrEqual(startMs + FENCE_VISIBLE_MS);
    expect(terminatedMs).toBeGreaterThanOrEqual(marks[0]! + ACK_WINDOW_MS);
  });

  test('a confirmation that EC2 refuses leaves the first marks: the run ends normally and retires nobody on them', async () => {
    // Prepare: the confirmation write fails (the first marks were written)
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    let lifecycleWrites = 0;
    world.spy.ec2.before('createTags', ({ args: [, tags] }) => {
      if (tags[TAG.lifecycle] !== undefined && ++lifecycleWrites === 3) throw new TransientError('EC2 500');
    });

    // Act
    const report = await runScaleDown(world.context());

    // Assess: the answer to the first mark only earns a fresh mark
    expect(report.retired).toBe(0);
    expect(await world.state('i-1')).toBe('running');
  });

  test('a bug while confirming aborts the run: it is not taken for a failed call', async () => {
    // Prepare
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    let lifecycleWrites = 0;
    world.spy.ec2.before('createTags', ({ args: [, tags] }) => {
      if (tags[TAG.lifecycle] !== undefined && ++lifecycleWrites === 3) throw new TypeError('a bug');
    });

    // Act / Assess
    await expect(runScaleDown(world.context())).rejects.toThrow('a bug');
  });
});
