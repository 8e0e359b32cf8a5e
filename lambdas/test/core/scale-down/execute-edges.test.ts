import { describe, expect, test } from '@jest/globals';
import { runScaleDown } from '../../../src/core/scale-down/index.js';
import { RUNNER_CONFIG_GRACE_MS } from '../../../src/core/scale-down/housekeeping.js';
import { TransientError } from '../../../src/errors.js';
import { TAG, encodeJobEvidence } from '../../../src/core/tags.js';
import { MIN, World } from '../world.js';

/**
 * The edges of execute.ts (issue 13, mutation testing): a lease lost before the first step, the
 * `skippedBusy` metric and its breakdown, a run with every kind of action at once, and the log
 * lines that name the step that failed.
 */

describe('a run that lost its lease before its first step', () => {
  test('writes nothing, not even housekeeping deletes', async () => {
    // Prepare: a stale runner config the sweep would delete
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    const stale = `${world.config.runnerConfigPath}/repo/i-0dead00000000001`;
    await world.ssm.putParameter({ name: stale, value: 'jit', type: 'SecureString', overwrite: true });
    world.clock.advance(RUNNER_CONFIG_GRACE_MS + MIN);
    // Another run takes the lease over while this one observes (after it acquired and checked it)
    const name = world.config.lease.parameterName;
    let taken = false;
    world.spy.github.after('listRunners', async () => {
      if (taken) return;
      taken = true;
      await world.ssm.deleteParameter(name);
      const value = JSON.stringify({ holder: 'other', expiresAtMs: world.clock.now() + 900_000 });
      await world.ssm.putParameter({ name, value, type: 'String', overwrite: false });
    });

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.quarantined).toBe(0);
    expect(world.spy.ec2.calls.filter((c) => c !== 'listInstances')).toEqual([]);
    expect(world.spy.github.calls.filter((c) => c !== 'listRunners')).toEqual([]);
    expect((await world.ssm.listParameters(world.config.runnerConfigPath)).map((p) => p.name)).toContain(stale);
    expect(world.metrics.get('leaseLost')).toBe(1);
  });
});

describe('skippedBusy: runners kept because something says they work', () => {
  test('counts a busy runner and a marked one with a sign of work, by signal; not a young or a waiting one', async () => {
    // Prepare: busy by REST; marked earlier and now busy by its agent; marked and silent; young
    const world = new World();
    world.ackAgents = false;
    await world.addRunner({ id: 'i-marked' });
    await world.addRunner({ id: 'i-silent' });
    await runScaleDown(world.context()); // marks both; no answer
    world.clock.advance(5 * MIN);
    await world.setTags('i-marked', { [TAG.agentState]: `busy:7@${world.clock.now()}` });
    await world.addRunner({ id: 'i-busy', busy: true });
    await world.addRunner({ id: 'i-young', launchedMinutesAgo: 1 });
    world.metrics.counts.clear();

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.skippedBusy).toBe(2);
    expect(world.metrics.get('skippedBusy')).toBe(2);
    expect(world.metrics.get('skippedBusy.rest')).toBe(1);
    expect(world.metrics.get('skippedBusy.agent')).toBe(1);
  });
});

describe('every kind of action in one run', () => {
  test('a candidate and an orphan: each goes its own way', async () => {
    // Prepare: an idle registered runner, and an instance that never registered (past its boot timeout)
    const world = new World();
    await world.addRunner({ id: 'i-idle' });
    await world.addRunner({ id: 'i-orphan', registered: false, agent: '' });

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.retired).toBe(1);
    expect(report.counts?.orphansTagged).toBe(1);
    expect(await world.tag('i-idle', TAG.lifecycle)).toBeDefined();
    expect(await world.tag('i-orphan', TAG.lifecycle)).toBeUndefined();
  });
});

describe('failures name their step', () => {
  test('a failed orphan tag is logged with the instance and the step', async () => {
    // Prepare
    const world = new World();
    await world.addRunner({ id: 'i-orphan', registered: false, agent: '' });
    world.spy.ec2.before('createTags', ({ args: [, tags] }) => {
      if (tags[TAG.orphan] !== undefined) throw new TransientError('EC2 500');
    });

    // Act
    const report = await runScaleDown(world.context());

    // Assess
    expect(report.errors).toBe(1);
    const line = world.log.lines.find((l) => l.message === 'scale-down step failed');
    expect(line?.attributes).toMatchObject({ instanceId: 'i-orphan', pool: 'repo', step: 'tag-orphan' });
  });

  test('a failed guard (a) record is logged with its step; the error line names the job', async () => {
    // Prepare: a quarantined runner that got a job after its settle wait (webhook evidence)
    const world = new World();
    world.ackAgents = false;
    await world.addRunner({ id: 'i-1' });
    await runScaleDown(world.context());
    world.clock.advance(3 * MIN);
    await world.setTags('i-1', {
      [TAG.agentState]: `busy:42@${world.clock.now()}`,
      [TAG.jobEvidence]: encodeJobEvidence({ status: 'in_progress', jobId: '42', atMs: world.clock.now() }),
    });
    world.spy.ec2.before('createTags', ({ args: [, tags] }) => {
      if (tags[TAG.guardAFailed] !== undefined) throw new TransientError('EC2 500');
    });

    // Act
    await runScaleDown(world.context());

    // Assess
    const error = world.log.lines.find((l) => l.level === 'error' && l.message.startsWith('guard (a) failed'));
    expect(error?.attributes).toMatchObject({ instanceId: 'i-1', pool: 'repo', jobId: '42' });
    const failed = world.log.lines.find((l) => l.message === 'scale-down step failed');
    expect(failed?.attributes).toMatchObject({ instanceId: 'i-1', step: 'guard-a-record' });
  });
});

describe('concurrency per owner', () => {
  test('one owner’s limit does not hold another owner’s work back', async () => {
    // Prepare: one write at a time per owner; a repo runner and an org runner to quarantine
    const world = new World();
    world.config.concurrency.perOwner = 1;
    await world.addRunner({ id: 'i-repo', pool: 'repo' });
    await world.addRunner({ id: 'i-org', pool: 'org' });
    let inFlight = 0;
    let most = 0;
    const during = async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
    };
    world.spy.github.before('setCustomLabels', during);
    world.spy.github.before('addRunnerToGroup', during);

    // Act
    const report = await runScaleDown(world.context());

    // Assess: both owners' quarantines overlapped
    expect(report.quarantined).toBe(2);
    expect(most).toBe(2);
  });
});
