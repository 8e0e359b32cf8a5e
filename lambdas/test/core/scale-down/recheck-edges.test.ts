import { describe, expect, test } from '@jest/globals';
import { runScaleDown } from '../../../src/core/scale-down/index.js';
import { ConflictError, TransientError } from '../../../src/errors.js';
import { TAG, decodeLifecycle } from '../../../src/core/tags.js';
import { MIN, REPO, makeConfig, World } from '../world.js';

/** A reusable pool: an instance between registrations (its runner exited) may be retired. */
const reusable = () => new World(makeConfig({}, { ephemeral: false }));

/**
 * The edges of recheck.ts (issue 13, mutation testing): what the re-check after the settle wait
 * does when something changes in the last moments of the wait (a job, another run's fence, a lease
 * takeover), when GitHub refuses a DELETE, and what each verdict leaves in the logs and metrics
 * the operator reads.
 */

/** Runs `meanwhile` once the settle wait of `instanceId`'s quarantine is over, before the re-check. */
function afterTheWait(world: World, instanceId: string, meanwhile: () => Promise<void>): void {
  let done = false;
  world.spy.clock.after('sleep', async () => {
    if (done) return;
    const mark = decodeLifecycle(await world.tag(instanceId, TAG.lifecycle));
    if (mark?.phase !== 'quarantined') return;
    if (world.clock.now() < mark.quarantinedMs + world.config.settleSeconds * 1000) return;
    done = true;
    await meanwhile();
  });
}

/**
 * Runs `meanwhile` once, when the re-check re-reads the candidates (its DescribeInstances after the
 * settle wait): after the wait's last demand poll, before the re-check's own demand read.
 */
function atTheRecheck(world: World, meanwhile: () => Promise<void>): void {
  let quarantinedMs: number | undefined;
  let done = false;
  world.spy.ec2.after('createTags', ({ args: [, tags] }) => {
    const mark = decodeLifecycle(tags[TAG.lifecycle]);
    if (mark?.phase === 'quarantined') quarantinedMs = mark.quarantinedMs;
  });
  world.spy.ec2.after('listInstances', async ({ args: [query] }) => {
    if (done || query.instanceIds === undefined || quarantinedMs === undefined) return;
    if (world.clock.now() < quarantinedMs + world.config.settleSeconds * 1000) return;
    done = true;
    await meanwhile();
  });
}

/** Every runner list after the first mark (the re-check's) fails with `error`. */
function failListsAfterMarking(world: World, error: Error): void {
  let marked = false;
  world.spy.ec2.after('createTags', ({ args: [, tags] }) => void (marked ||= tags[TAG.lifecycle] !== undefined));
  world.spy.github.before('listRunners', () => {
    if (marked) throw error;
  });
}

const messages = (world: World, level: string) => world.log.lines.filter((l) => l.level === level);
const line = (world: World, message: string) => world.log.lines.find((l) => l.message === message);

describe('the last moments of the wait', () => {
  test('a job that arrives after the last demand poll still takes the candidate back at the re-check', async () => {
    // Prepare: the job arrives while the re-check re-reads the candidate, after the wait's last poll
    const world = new World();
    const { runnerId } = await world.addRunner({ id: 'i-1' });
    atTheRecheck(world, async () => {
      await world.sqs.sendMessage(world.config.pools['repo']!.queueUrl, '{"job":1}');
    });
    // Act
    const report = await runScaleDown(world.context());
    // Assess
    expect(report.returnedToService).toBe(1);
    expect(await world.registered(runnerId!)).toBe(true);
    const [runner] = await world.runners();
    expect(runner?.labels.filter((l) => l.type === 'custom').map((l) => l.name)).toEqual(['pool-a']);
  });

  test('one job that arrives at the re-check takes back one of two candidates, not both', async () => {
    // Prepare
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    await world.addRunner({ id: 'i-2' });
    atTheRecheck(world, async () => {
      await world.sqs.sendMessage(world.config.pools['repo']!.queueUrl, '{"job":1}');
    });
    // Act
    const report = await runScaleDown(world.context());
    // Assess
    expect(report.returnedToService).toBe(1);
    expect(report.retired).toBe(1);
  });

  test('another run’s fence written in the last moments: the re-check leaves the mark to its owner', async () => {
    const world = new World();
    const { runnerId } = await world.addRunner({ id: 'i-1' });
    afterTheWait(world, 'i-1', () => world.setTags('i-1', { [TAG.fence]: '1' }));
    const report = await runScaleDown(world.context());
    expect(report.retired).toBe(0);
    expect(await world.registered(runnerId!)).toBe(true);
    expect(world.metrics.get('fenceLost')).toBe(1);
    expect(line(world, 'mark changed since this run read it; left to its owner')?.attributes).toMatchObject({
      instanceId: 'i-1',
      pool: 'repo',
    });
  });

  test('a lease taken over after the DELETE: the instance is not terminated by this run', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    world.spy.github.after('deleteRunner', async () => {
      const name = world.config.lease.parameterName;
      await world.ssm.deleteParameter(name);
      const value = JSON.stringify({ holder: 'other', expiresAtMs: world.clock.now() + 900_000 });
      await world.ssm.putParameter({ name, value, type: 'String', overwrite: false });
    });
    const report = await runScaleDown(world.context());
    expect(report.retired).toBe(0);
    expect(await world.state('i-1')).toBe('running');
  });
});

describe('the re-check reads only what it needs', () => {
  test('registered candidates: no runner list at the re-check (the DELETE is the fresh check)', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    let marked = false;
    let listedAfter = 0;
    world.spy.ec2.after('createTags', ({ args: [, tags] }) => void (marked ||= tags[TAG.lifecycle] !== undefined));
    world.spy.github.before('listRunners', () => void (listedAfter += marked ? 1 : 0));
    const report = await runScaleDown(world.context());
    expect(report.retired).toBe(1);
    expect(listedAfter).toBe(0);
  });

  test('a candidate between registrations whose owner cannot be listed is left for the next run', async () => {
    // Prepare: a reusable instance whose runner exited (no registration); the re-list fails
    const world = reusable();
    await world.addRunner({ id: 'i-1', registered: false, agent: `exited@${world.clock.now() - MIN}` });
    failListsAfterMarking(world, new TransientError('GitHub 502'));
    // Act
    const report = await runScaleDown(world.context());
    // Assess
    expect(report.retired).toBe(0);
    expect(await world.state('i-1')).toBe('running');
    expect(line(world, 'runner re-list failed; owner re-checked next run')?.attributes).toEqual({ owner: 'acme/app' });
  });

  test('a bug while re-listing aborts the run', async () => {
    const world = reusable();
    await world.addRunner({ id: 'i-1', registered: false, agent: `exited@${world.clock.now() - MIN}` });
    failListsAfterMarking(world, new TypeError('a bug'));
    await expect(runScaleDown(world.context())).rejects.toThrow('a bug');
  });
});

describe('what each verdict leaves for the operator', () => {
  test('retired: the instance, its pool and the registration deleted', async () => {
    const world = new World();
    const { runnerId } = await world.addRunner({ id: 'i-1' });
    await runScaleDown(world.context());
    expect(line(world, 'runner retired')?.attributes).toEqual({ instanceId: 'i-1', pool: 'repo', runnerId });
  });

  test('busy at the re-check: left retiring, counted by signal', async () => {
    const world = new World();
    world.ackAgents = false;
    await world.addRunner({ id: 'i-1' });
    afterTheWait(world, 'i-1', async () => {
      const mark = decodeLifecycle(await world.tag('i-1', TAG.lifecycle))!;
      await world.setTags('i-1', { [TAG.agentState]: `busy:9@${world.clock.now()}/ack:${mark.markMs}` });
    });
    const report = await runScaleDown(world.context());
    expect(report.skippedBusy).toBe(1);
    expect(world.metrics.get('skippedBusy.agent')).toBe(1);
    expect(line(world, 'retiring runner shows work; left retiring')?.attributes).toMatchObject({
      instanceId: 'i-1',
      signal: 'agent',
    });
  });

  test('no answer yet: said so; an agent that wrote without answering gets a fresh mark', async () => {
    // Prepare: a silent agent, then one that writes after the mark without answering it
    const world = new World();
    world.ackAgents = false;
    await world.addRunner({ id: 'i-1' });
    await runScaleDown(world.context());
    expect(line(world, 'no acknowledgement yet; re-checked next run')).toBeDefined();
    const first = decodeLifecycle(await world.tag('i-1', TAG.lifecycle))!;
    world.clock.advance(5 * MIN);
    await world.setTags('i-1', { [TAG.agentState]: `idle@${world.clock.now()}` });
    // Act
    await runScaleDown(world.context());
    // Assess
    const second = decodeLifecycle(await world.tag('i-1', TAG.lifecycle))!;
    expect(second.markMs).toBeGreaterThan(first.markMs);
    expect(line(world, 'agent asked for a fresh acknowledgement')).toBeDefined();
  });

  test('a registration that appeared while retiring between registrations: back to retiring, said so', async () => {
    const world = reusable();
    await world.addRunner({ id: 'i-1', registered: false, agent: `exited@${world.clock.now() - MIN}` });
    afterTheWait(world, 'i-1', async () => {
      await world.register(REPO, 'i-1');
    });
    await runScaleDown(world.context());
    expect(decodeLifecycle(await world.tag('i-1', TAG.lifecycle))?.phase).toBe('retiring');
    expect(line(world, 'instance registered while retiring; quarantined next run')).toBeDefined();
  });

  test('a DELETE refused with 422 before the bound: guard (b) logged with the status, the instance kept', async () => {
    const world = new World();
    const { runnerId } = await world.addRunner({ id: 'i-1' });
    world.github.failNext('deleteRunner', new ConflictError('Runner is busy'));
    const report = await runScaleDown(world.context());
    expect(report.retired).toBe(0);
    const [error] = messages(world, 'error');
    expect(error?.message).toBe(
      'GitHub refused the DELETE (guard b): a job reached a quarantined runner that had acknowledged idle',
    );
    expect(error?.attributes).toEqual({ instanceId: 'i-1', pool: 'repo', runnerId, status: 422 });
  });

  test('past the bound a 422 is a stale view: terminated anyway, with a warning', async () => {
    // Prepare: a silent agent until the retirement bound; GitHub still holds the runner busy
    const world = new World();
    world.ackAgents = false;
    await world.addRunner({ id: 'i-1' });
    await runScaleDown(world.context());
    world.clock.advance((world.config.pools['repo']!.maxJobDurationMinutes + 10) * MIN);
    world.github.failNext('deleteRunner', new ConflictError('Runner is busy'));
    // Act
    const report = await runScaleDown(world.context());
    // Assess
    expect(report.retired).toBe(1);
    expect(world.metrics.get('backstops')).toBe(1);
    expect(line(world, 'GitHub holds the runner busy past the retirement bound; terminated anyway')).toBeDefined();
    expect(line(world, 'retirement bound passed; instance terminated whatever its agent says')).toBeDefined();
  });

  test('a failed step names the instance; a failed termination names its step', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    await world.addRunner({ id: 'i-2' });
    world.github.failNext('deleteRunner', new TransientError('GitHub 502'));
    world.spy.ec2.before('terminateInstances', () => {
      throw new TransientError('EC2 500');
    });
    await runScaleDown(world.context());
    const failed = world.log.lines.filter((l) => l.message === 'scale-down step failed').map((l) => l.attributes);
    expect(failed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pool: 'repo', instanceId: expect.stringMatching(/^i-/) }),
        expect.objectContaining({ instances: 1, step: 'terminate' }),
      ]),
    );
  });
});

describe('the re-check reads many candidates in batches', () => {
  test('360 candidates: DescribeInstances with at most 200 ids each, never with none (EC2 would answer every instance)', async () => {
    // Prepare: 180 idle runners in each of two owners' pools (a run starts at most 180 retirements
    // per owner: maxNewRetirementsPerOwner), none kept (idle quota 0): a full batch and a partial one
    const world = new World(makeConfig({ maxNewRetirementsPerOwner: 180 }, { maxRunners: 500 }));
    const ids = Array.from({ length: 360 }, (_, i) => `i-${String(i).padStart(3, '0')}`);
    for (const [i, id] of ids.entries()) await world.addRunner({ id, pool: i % 2 === 0 ? 'repo' : 'org' });
    let quarantinedMs: number | undefined;
    world.spy.ec2.after('createTags', ({ args: [, tags] }) => {
      const mark = decodeLifecycle(tags[TAG.lifecycle]);
      if (mark?.phase === 'quarantined') quarantinedMs = mark.quarantinedMs;
    });
    const recheckReads: number[] = [];
    world.spy.ec2.before('listInstances', ({ args: [query] }) => {
      if (query.instanceIds === undefined || quarantinedMs === undefined) return;
      if (world.clock.now() >= quarantinedMs + world.config.settleSeconds * 1000)
        recheckReads.push(query.instanceIds.length);
    });
    // Act
    await runScaleDown(world.context());
    // Assess: every candidate re-read once, in batches of 200; all retired
    expect(recheckReads.slice(0, 2)).toEqual([200, 160]);
    expect(recheckReads.every((n) => n > 0 && n <= 200)).toBe(true);
    for (const id of ids) expect(await world.state(id)).toMatch(/terminated|shutting-down/);
  });
});
