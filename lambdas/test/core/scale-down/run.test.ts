import { describe, expect, test } from '@jest/globals';
import { runScaleDown } from '../../../src/core/scale-down/index.js';
import { TAG, decodeLifecycle } from '../../../src/core/tags.js';
import { RateLimitedError, TransientError } from '../../../src/errors.js';
import { MIN, REPO, T0, TERMINATED, World, makeConfig } from '../world.js';

describe('runScaleDown: the quarantine protocol end to end on the in-memory doubles', () => {
  test('an idle surplus repo runner is marked, quarantined, settled, re-checked, deregistered, terminated', async () => {
    // Prepare
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    const order: string[] = [];
    world.spy.github.after('*', (call) => {
      order.push(`gh:${call.name}`);
    });
    world.spy.ec2.after('*', (call) => {
      const lifecycle = call.name === 'createTags' ? call.args[1][TAG.lifecycle] : undefined;
      order.push(`ec2:${call.name}${lifecycle ? `:${lifecycle.split('@')[0]}` : ''}`);
    });
    // Act
    const report = await runScaleDown(world.context());
    // Assess
    expect(report).toMatchObject({ retired: 1, quarantined: 1, skippedBusy: 0, leaseHeld: false });
    expect(await world.state('i-1')).toMatch(TERMINATED);
    expect(await world.runners()).toEqual([]);
    expect(world.clock.now() - T0).toBe(90_000); // the settle default, waited inside the run
    expect(order.filter((c) => c !== 'gh:listRunners' && c !== 'ec2:listInstances')).toEqual([
      'ec2:createTags:retiring',
      'gh:setCustomLabels',
      'ec2:createTags:quarantined',
      'ec2:createTags:quarantined', // the confirmation mark, once the quarantine has surely taken effect
      'gh:deleteRunner',
      'ec2:terminateInstances',
    ]);
    expect(await world.ssm.listParameters('/')).toEqual([]); // lease released
    expect(world.metrics.get('retired')).toBe(1);
    expect(world.metrics.get('quarantined')).toBe(1);
  });

  test('org runners are moved into a quarantine group that admits no repository', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1', pool: 'org' });
    const moves: number[] = [];
    world.spy.github.before('addRunnerToGroup', ({ args: [, groupId] }) => {
      moves.push(groupId);
    });
    const report = await runScaleDown(world.context());
    expect(report.retired).toBe(1);
    // Like GitHub, InMemoryGitHub gives every org its Default group (id 1); the run added the quarantine group.
    const groups = await world.github.listRunnerGroups('acme');
    expect(groups).toEqual([
      { id: 1, name: 'Default', visibility: 'all', selectedRepositoryIds: [] },
      { id: expect.any(Number), name: 'ghr-quarantine', visibility: 'selected', selectedRepositoryIds: [] },
    ]);
    expect(moves).toEqual([groups[1]?.id]);
  });

  test('an org group of that name which admits repositories is refused, and nothing is deleted', async () => {
    const world = new World();
    await world.github.createRunnerGroup('acme', { name: 'ghr-quarantine', visibility: 'all' });
    await world.addRunner({ id: 'i-1', pool: 'org' });
    const report = await runScaleDown(world.context());
    expect(report.retired).toBe(0);
    expect(await world.runners()).toHaveLength(1);
    expect(await world.state('i-1')).toBe('running');
    expect(world.log.lines.some((l) => l.message === 'scale-down step failed')).toBe(true);
  });

  test.each([
    ['agent turns busy during settle (REST still lags)', { agent: true, rest: false, consume: false }],
    ['REST turns busy during settle', { agent: false, rest: true, consume: false }],
    ['a JIT job consumes the registration during settle', { agent: true, rest: false, consume: true }],
  ])('%s: left retiring, never terminated', async (_name, job) => {
    // Prepare
    const world = new World();
    const { runnerId } = await world.addRunner({ id: 'i-1' });
    world.spy.clock.after('sleep', async () => {
      const to = world.clock.now();
      if (job.agent) {
        const markMs = decodeLifecycle(await world.tag('i-1', TAG.lifecycle))!.markMs;
        await world.setTags('i-1', { [TAG.agentState]: `busy:42@${to - 1000}/ack:${markMs}` });
      }
      if (job.rest) world.github.setBusy(runnerId!, true);
      if (job.consume) world.github.consumeRegistration(runnerId!);
    });
    // Act
    const report = await runScaleDown(world.context());
    // Assess
    expect(report.retired).toBe(0);
    expect(await world.state('i-1')).toBe('running');
    // Not deregistered: either no DELETE, or GitHub refused it (422) because it holds the runner busy.
    if (!job.consume) expect(await world.registered(runnerId!)).toBe(true);
    expect(decodeLifecycle(await world.tag('i-1', TAG.lifecycle))?.phase).toBe('quarantined');
  });

  // An instance retired between registrations may have registered during the settle wait: its
  // owner's runner list is read again, and without that list nothing is decided.
  test('reusable pool: when the re-check cannot list the runners, nothing is decided until a later run', async () => {
    // Prepare
    const world = new World(makeConfig({}, { ephemeral: false }));
    await world.addRunner({ id: 'i-1', registered: false, agent: `exited@${T0 - MIN}` });
    let listingFails = false;
    world.spy.github.before('listRunners', () => {
      if (listingFails) throw new TransientError('502 Bad Gateway');
    });
    const unhook = world.spy.clock.after('sleep', () => {
      listingFails = true; // after the observation, before the re-check
    });
    // Act
    const first = await runScaleDown(world.context());
    // Assess: marked and quarantined, neither retired nor given up
    expect(first.retired).toBe(0);
    expect(await world.state('i-1')).toBe('running');
    expect(decodeLifecycle(await world.tag('i-1', TAG.lifecycle))?.phase).toBe('quarantined');
    expect(world.log.lines.map((l) => l.message)).toContain('runner re-list failed; owner re-checked next run');
    // ...and the next run, which can list, retires it
    unhook();
    listingFails = false;
    world.clock.advance(5 * MIN);
    expect((await runScaleDown(world.context())).retired).toBe(1);
  });

  test('a DELETE answered 422 means taken: the instance is left to end by itself', async () => {
    const world = new World();
    const { runnerId } = await world.addRunner({ id: 'i-1' });
    world.spy.github.before('deleteRunner', () => world.github.setBusy(runnerId!, true));
    const report = await runScaleDown(world.context());
    expect(report.retired).toBe(0);
    expect(await world.state('i-1')).toBe('running');
    expect(world.metrics.get('taken')).toBe(1);
  });

  test('a silent agent: no termination before the retirement bound, then the backstop', async () => {
    // Prepare
    const world = new World();
    world.ackAgents = false;
    await world.addRunner({ id: 'i-1' });
    // Act: first run quarantines, waits, finds no acknowledgement
    const first = await runScaleDown(world.context());
    world.clock.advance(60 * MIN);
    const second = await runScaleDown(world.context());
    world.clock.advance(360 * MIN);
    const third = await runScaleDown(world.context());
    // Assess
    expect(first.retired + second.retired).toBe(0);
    expect(third.retired).toBe(1);
    expect(third.counts?.backstops).toBe(1);
    expect(await world.state('i-1')).toMatch(TERMINATED);
  });

  test('jobs waiting in the pool: a quarantined runner returns to service', async () => {
    // Prepare: a first run that leaves the runner quarantined (its agent reports a job)
    const world = new World();
    const { runnerId } = await world.addRunner({ id: 'i-1' });
    const unhook = world.spy.clock.after('sleep', () => world.github.setBusy(runnerId!, true));
    await runScaleDown(world.context());
    unhook();
    world.github.setBusy(runnerId!, false);
    for (let i = 0; i < 3; i++) await world.sqs.sendMessage('https://sqs.test/repo', 'job');
    // Act
    const report = await runScaleDown(world.context());
    // Assess
    expect(report.returnedToService).toBe(1);
    expect(await world.tag('i-1', TAG.lifecycle)).toBeUndefined();
    const { labels } = await world.github.getRunner(REPO, runnerId!);
    expect(labels.filter((l) => l.type === 'custom').map((l) => l.name)).toEqual(['pool-a']);
    expect(await world.state('i-1')).toBe('running');
  });

  test('a run that finds an unexpired lease does nothing', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    await world.ssm.putParameter({
      name: '/ghr/lease',
      value: JSON.stringify({ holder: 'other', expiresAtMs: T0 + MIN }),
      type: 'String',
      overwrite: false,
    });
    const report = await runScaleDown(world.context());
    expect(report.leaseHeld).toBe(true);
    expect(world.spy.ec2.calls).toEqual([]);
    expect((await world.ssm.getParameter('/ghr/lease')).value).toContain('other');
  });

  test('an expired lease is taken over', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    await world.ssm.putParameter({
      name: '/ghr/lease',
      value: JSON.stringify({ holder: 'crashed', expiresAtMs: T0 - 1 }),
      type: 'String',
      overwrite: false,
    });
    const report = await runScaleDown(world.context());
    expect(report).toMatchObject({ leaseHeld: false, retired: 1 });
    expect(await world.ssm.listParameters('/')).toEqual([]);
  });

  test('a rate-limited owner is left for the next run; other owners proceed', async () => {
    // Prepare
    const world = new World();
    await world.addRunner({ id: 'i-repo' });
    await world.addRunner({ id: 'i-org', pool: 'org' });
    const unhook = world.spy.github.before('setCustomLabels', () => {
      throw new RateLimitedError('secondary rate limit', T0 + MIN);
    });
    // Act
    const first = await runScaleDown(world.context());
    unhook();
    world.clock.advance(5 * MIN);
    const second = await runScaleDown(world.context());
    // Assess
    expect(first.retired).toBe(1);
    expect(first.rateLimitedOwners).toEqual(['acme/app']);
    expect(await world.state('i-org')).toMatch(TERMINATED);
    expect(second.retired).toBe(1);
    expect(await world.state('i-repo')).toMatch(TERMINATED);
  });

  test('a throttled fleet listing defers the whole run with a warning and a metric, not a failure', async () => {
    // Prepare
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    world.spy.ec2.before('listInstances', () => {
      throw new RateLimitedError('RequestLimitExceeded');
    });
    // Act
    const report = await runScaleDown(world.context());
    // Assess
    expect(report.retired).toBe(0);
    expect(world.metrics.get('ec2RateLimited')).toBe(1);
    expect(world.metrics.get('rateLimited')).toBe(1);
    expect(await world.ssm.listParameters('/')).toEqual([]); // lease released
  });

  test('an owner whose runner list is rate limited is counted, so the rateLimited alarm sees it', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    world.spy.github.before('listRunners', () => {
      throw new RateLimitedError('API rate limit exceeded', T0 + 60 * MIN);
    });
    const report = await runScaleDown(world.context());
    expect(report.retired).toBe(0);
    expect(await world.state('i-1')).toBe('running');
    // Both owners of the test fleet (a repo and an org) fail to list.
    expect(world.metrics.get('runnerListFailed')).toBe(2);
    expect(world.metrics.get('rateLimited')).toBe(2);
  });

  test('orphans: tagged, then a last check after the in-run wait, then terminated', async () => {
    // Prepare
    const world = new World();
    await world.addRunner({ id: 'i-1', registered: false, agent: '', launchedMinutesAgo: 20 });
    let taggedBeforeWait: string | undefined;
    world.spy.clock.after('sleep', async () => {
      taggedBeforeWait = await world.tag('i-1', TAG.orphan);
    });
    // Act
    const report = await runScaleDown(world.context());
    // Assess
    expect(taggedBeforeWait).toBe(String(T0));
    expect(report.orphansTerminated).toBe(1);
    expect(await world.state('i-1')).toMatch(TERMINATED);
    expect(world.clock.now() - T0).toBe(90_000);
  });

  test('an orphan tagged by an earlier run is terminated after its last check', async () => {
    const world = new World();
    await world.addRunner({
      id: 'i-1',
      registered: false,
      agent: '',
      launchedMinutesAgo: 20,
      tags: { [TAG.orphan]: String(T0 - 5 * MIN) },
    });
    const report = await runScaleDown(world.context());
    expect(report.orphansTerminated).toBe(1);
    expect(world.clock.now()).toBe(T0); // nothing to wait for
  });

  test('an orphan whose agent writes during the wait is spared, and its tag cleared on the next run', async () => {
    // Prepare
    const world = new World();
    await world.addRunner({ id: 'i-1', registered: false, agent: '', launchedMinutesAgo: 20 });
    const unhook = world.spy.clock.after('sleep', async () => {
      await world.setTags('i-1', { [TAG.agentState]: `busy:9@${world.clock.now() - 1000}` });
    });
    // Act
    const first = await runScaleDown(world.context());
    unhook();
    world.clock.advance(5 * MIN);
    await runScaleDown(world.context());
    // Assess
    expect(first.orphansTerminated).toBe(0);
    expect(await world.state('i-1')).toBe('running');
    expect(await world.tag('i-1', TAG.orphan)).toBeUndefined();
  });

  // The last check spares an orphan whose agent wrote anything since the tag, not only `busy`:
  // any write is a sign of life (an `idle` runner may be about to take a job).
  test.each(['idle', 'exited'])(
    'an orphan whose agent writes a non-busy state (%s) during the wait is spared',
    async (state) => {
      // Prepare
      const world = new World();
      await world.addRunner({ id: 'i-1', registered: false, agent: '', launchedMinutesAgo: 20 });
      world.spy.clock.after('sleep', async () => {
        await world.setTags('i-1', { [TAG.agentState]: `${state}@${world.clock.now() - 1000}` });
      });
      // Act
      const report = await runScaleDown(world.context());
      // Assess
      expect(report.orphansTerminated).toBe(0);
      expect(await world.state('i-1')).toBe('running');
      expect(world.spy.ec2.calls).not.toContain('terminateInstances');
    },
  );

  test('bypass-removal and busy runners are never touched', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-bypass', tags: { [TAG.bypassRemoval]: 'true' } });
    await world.addRunner({ id: 'i-busy', busy: true });
    const report = await runScaleDown(world.context());
    expect(report.retired).toBe(0);
    expect(report.skippedBusy).toBe(1);
    expect(world.metrics.get('skippedBusy.rest')).toBe(1);
    // The total is what the Terraform alarm watches (alarms.skipped_busy_metric_name).
    expect(world.metrics.get('skippedBusy')).toBe(1);
    expect(world.spy.ec2.calls).not.toContain('createTags');
  });

  test('logs carry instance ids and constant messages, never configuration secrets', async () => {
    const world = new World(makeConfig());
    await world.addRunner({ id: 'i-1' });
    await runScaleDown(world.context());
    const retired = world.log.lines.find((l) => l.message === 'runner retired');
    expect(retired?.attributes).toMatchObject({ instanceId: 'i-1', pool: 'repo' });
    expect(JSON.stringify(world.log.lines)).not.toContain('/gh/key');
  });
});
