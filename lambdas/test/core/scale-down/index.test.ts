import { describe, expect, test } from '@jest/globals';
import { quarantineStrategy, runScaleDown } from '../../../src/core/scale-down/index.js';
import { RUNNER_CONFIG_GRACE_MS } from '../../../src/core/scale-down/housekeeping.js';
import { RateLimitedError, TransientError } from '../../../src/errors.js';
import { TAG } from '../../../src/core/tags.js';
import { MIN, T0, World } from '../world.js';

/**
 * runScaleDown itself (index.ts; issue 13, mutation testing): what a run reports and says when
 * another run holds the lease, when EC2 throttles the fleet listing, when an owner cannot be
 * listed, when an agent's times are forged, and when housekeeping or the lease release fails.
 */

const line = (world: World, message: string) => world.log.lines.find((l) => l.message === message);

describe('runs that do nothing', () => {
  test('another run holds the lease: nothing read or written, said and counted', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    const value = JSON.stringify({ holder: 'other', expiresAtMs: T0 + 900_000 });
    await world.ssm.putParameter({ name: world.config.lease.parameterName, value, type: 'String', overwrite: false });
    const report = await runScaleDown(world.context());
    expect(report).toEqual({
      retired: 0,
      quarantined: 0,
      returnedToService: 0,
      skippedBusy: 0,
      orphansTerminated: 0,
      leaseHeld: true,
    });
    expect(world.metrics.get('leaseHeld')).toBe(1);
    expect(line(world, 'lease held by another run; nothing done')).toBeDefined();
    expect(world.spy.ec2.calls).toEqual([]);
  });

  test('EC2 throttles the fleet listing: deferred, a warning and the metrics the alarms watch', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    world.spy.ec2.before('listInstances', () => {
      throw new RateLimitedError('RequestLimitExceeded');
    });
    const report = await runScaleDown(world.context());
    expect(report).toMatchObject({ retired: 0, quarantined: 0, leaseHeld: false });
    expect(world.metrics.get('rateLimited')).toBe(1);
    expect(world.metrics.get('ec2RateLimited')).toBe(1);
    expect(line(world, 'fleet listing rate limited; run deferred')?.attributes).toMatchObject({
      error: { name: 'RateLimitedError' },
    });
    // The lease is released all the same.
    await expect(world.ssm.getParameter(world.config.lease.parameterName)).rejects.toThrow();
  });

  test('another failure of the fleet listing is not hidden', async () => {
    const world = new World();
    world.spy.ec2.before('listInstances', () => {
      throw new TypeError('a bug');
    });
    await expect(runScaleDown(world.context())).rejects.toThrow('a bug');
  });
});

describe('what a run says and counts', () => {
  test('an owner whose runners cannot be listed is counted; a rate limit too', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1', pool: 'repo' });
    await world.addRunner({ id: 'i-2', pool: 'org' });
    world.github.failNext('listRunners', new RateLimitedError('secondary rate limit'));
    await runScaleDown(world.context());
    expect(world.metrics.get('runnerListFailed')).toBe(1);
    expect(world.metrics.get('rateLimited')).toBeGreaterThanOrEqual(1);
  });

  test('an owner that fails for another reason is counted, not as a rate limit', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1', pool: 'repo' });
    world.github.failNext('listRunners', new TransientError('GitHub 502'));
    await runScaleDown(world.context());
    expect(world.metrics.get('runnerListFailed')).toBe(1);
    expect(world.metrics.get('rateLimited')).toBe(0);
  });

  test('agent times in the future are counted and the instances named', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1', agent: `busy:1@${T0 + 60 * MIN}` });
    await world.addRunner({ id: 'i-2' });
    await runScaleDown(world.context());
    expect(world.metrics.get('agentTimeForged')).toBe(1);
    expect(line(world, 'agent tag times in the future, read as launch time')?.attributes).toEqual({
      instanceIds: ['i-1'],
    });
  });

  test('the plan is logged by kind, and the finish with every count', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    await world.addRunner({ id: 'i-2', busy: true });
    const report = await runScaleDown(world.context());
    expect(line(world, 'scale-down planned')?.attributes).toEqual({
      instances: 2,
      actions: { 'retire:mark': 1 },
      skipped: { 'busy:rest': 1 },
    });
    expect(line(world, 'scale-down finished')?.attributes).toMatchObject({
      retired: 1,
      skippedBusy: 1,
      rateLimitedOwners: 0,
    });
    expect(report).toMatchObject({ retired: 1, quarantined: 1, skippedBusy: 1, errors: 0, rateLimitedOwners: [] });
    // Nothing forged: no such line, no such metric.
    expect(line(world, 'agent tag times in the future, read as launch time')).toBeUndefined();
    expect(world.metrics.counts.has('agentTimeForged')).toBe(false);
  });

  test('a retirement at the bound is reported retired, counted as a backstop', async () => {
    const world = new World();
    world.ackAgents = false;
    await world.addRunner({ id: 'i-1' });
    await runScaleDown(world.context());
    world.clock.advance((world.config.pools['repo']!.maxJobDurationMinutes + 10) * MIN);
    const report = await runScaleDown(world.context());
    expect(report.retired).toBe(1);
    expect(report.counts?.backstops).toBe(1);
    expect(report.counts?.retired).toBe(0);
  });
});

describe('after the work', () => {
  test('housekeeping keeps the config of a live instance, however old', async () => {
    // Prepare: a running instance whose config its agent has not read yet, past the grace period
    const world = new World();
    await world.addRunner({ id: 'i-0a1140000000000e', tags: { [TAG.bypassRemoval]: 'true' } });
    const name = `${world.config.runnerConfigPath}/repo/i-0a1140000000000e`;
    await world.ssm.putParameter({ name, value: 'jit', type: 'SecureString', overwrite: true });
    world.clock.advance(RUNNER_CONFIG_GRACE_MS + MIN);
    // Act
    await runScaleDown(world.context());
    // Assess
    expect((await world.ssm.listParameters(world.config.runnerConfigPath)).map((p) => p.name)).toEqual([name]);
  });

  test('a failed housekeeping sweep is a warning and a metric, not a failed run', async () => {
    const world = new World();
    await world.ssm.putParameter({
      name: `${world.config.runnerConfigPath}/repo/i-0dead00000000001`,
      value: 'jit',
      type: 'SecureString',
      overwrite: true,
    });
    world.clock.advance(RUNNER_CONFIG_GRACE_MS + MIN);
    world.spy.ssm.before('listParameters', () => {
      throw new TransientError('SSM 500');
    });
    const report = await runScaleDown(world.context());
    expect(report.leaseHeld).toBe(false);
    expect(world.metrics.get('sweepFailed')).toBe(1);
    expect(line(world, 'runner config sweep skipped')?.attributes).toMatchObject({ error: { name: 'TransientError' } });
  });

  test('a bug in housekeeping is not hidden, and the lease is still released', async () => {
    const world = new World();
    world.spy.ssm.before('listParameters', () => {
      throw new TypeError('a bug');
    });
    await expect(runScaleDown(world.context())).rejects.toThrow('a bug');
    await expect(world.ssm.getParameter(world.config.lease.parameterName)).rejects.toThrow();
  });

  test('a lease release that fails is a warning: the lease expires by itself', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1', tags: { [TAG.bypassRemoval]: 'true' } });
    world.spy.ssm.before('deleteParameter', () => {
      throw new TransientError('SSM 500');
    });
    const report = await runScaleDown(world.context());
    expect(report.leaseHeld).toBe(false);
    expect(line(world, 'lease release failed')?.attributes).toMatchObject({ error: { name: 'TransientError' } });
  });
});

test('the quarantine strategy is this run, under its name', async () => {
  const world = new World();
  await world.addRunner({ id: 'i-1' });
  expect(quarantineStrategy.name).toBe('quarantine');
  expect(await quarantineStrategy.run(world.context())).toMatchObject({ retired: 1, leaseHeld: false });
});
