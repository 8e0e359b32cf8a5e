import { describe, expect, test } from '@jest/globals';
import { LEASE_MARGIN_MS } from '../../../src/core/scale-down/lease.js';
import { Deferred, RunState, type RunLease } from '../../../src/core/scale-down/run-state.js';
import { RateLimitedError, TransientError } from '../../../src/errors.js';
import { T0, World } from '../world.js';

/**
 * What one run shares across its steps (run-state.ts; issue 13, mutation testing): the counters
 * and their metrics, the lease checks of guarantee 4, the per-owner and EC2 rate-limit blocks, and
 * how a step's failure ends that step, or the run.
 */

function runState(world: World, lease: Partial<RunLease> = {}): RunState {
  const { ports, config, log, metrics } = world.context();
  return new RunState(
    { ports, config, log, metrics },
    { token: T0, expiresAtMs: T0 + 900_000, stillHeld: async () => true, ...lease },
  );
}

const warnings = (world: World) => world.log.lines.filter((l) => l.level === 'warn');

describe('counts', () => {
  test('a count is a metric too, with its breakdown when one is given, never counted twice', () => {
    const world = new World();
    const run = runState(world);
    run.count('skippedBusy', 'skippedBusy.rest');
    run.count('retired', 'retired');
    run.count('errors', undefined, 3);
    expect(run.counts).toMatchObject({ skippedBusy: 1, retired: 1, errors: 3 });
    expect(Object.fromEntries(world.metrics.counts)).toEqual({
      skippedBusy: 1,
      'skippedBusy.rest': 1,
      retired: 1,
      errors: 3,
    });
  });
});

describe('the lease (guarantee 4)', () => {
  test('a run may act until the margin before expiry; from then on it is lost, said once', () => {
    const world = new World();
    const run = runState(world);
    world.clock.advance(900_000 - LEASE_MARGIN_MS - 1);
    expect(() => run.act()).not.toThrow();
    world.clock.advance(1);
    expect(() => run.act()).toThrow(Deferred);
    expect(() => run.act()).toThrow('lease expiring');
    expect(run.leaseLost).toBe(true);
    expect(world.metrics.get('leaseLost')).toBe(1);
    expect(warnings(world).map((l) => l.message)).toEqual([
      'lease about to expire or taken over; this run stops acting',
    ]);
    expect(warnings(world)[0]?.attributes).toEqual({ token: T0, expiresAtMs: T0 + 900_000 });
  });

  test('a lease that cannot be read is not held; a lost or aborted run does not read it again', async () => {
    const world = new World();
    let reads = 0;
    const run = runState(world, {
      stillHeld: async () => {
        reads++;
        throw new TransientError('SSM 500');
      },
    });
    expect(await run.leaseHeld()).toBe(false);
    expect(await run.leaseHeld()).toBe(false);
    expect(reads).toBe(1);
    const aborted = runState(world, { stillHeld: async () => ++reads > 0 });
    aborted.aborted = true;
    expect(await aborted.leaseHeld()).toBe(false);
    expect(reads).toBe(1);
  });

  test('a bug while reading the lease is not taken for a lost lease', async () => {
    const world = new World();
    const run = runState(world, { stillHeld: async () => Promise.reject(new TypeError('a bug')) });
    await expect(run.leaseHeld()).rejects.toThrow('a bug');
  });

  test('destructive calls check the lease first: past the margin nothing is called', async () => {
    const world = new World();
    const run = runState(world);
    world.clock.advance(900_000);
    let called = 0;
    expect(() => run.ec2Write(async () => ++called)).toThrow(Deferred);
    expect(() => run.githubWrite('acme', async () => ++called)).toThrow(Deferred);
    expect(called).toBe(0);
  });
});

describe('rate limits', () => {
  test('a rate-limited owner is skipped for the rest of the run, said and counted once; other owners go on', async () => {
    const world = new World();
    const run = runState(world);
    const limited = () => Promise.reject(new RateLimitedError('secondary rate limit', T0 + 60_000));
    await expect(run.github('acme', limited)).rejects.toThrow('owner rate limited');
    let called = 0;
    await expect(run.github('acme', async () => ++called)).rejects.toThrow('owner rate limited');
    await expect(run.github('acme', limited)).rejects.toThrow(Deferred);
    expect(await run.github('other', async () => ++called)).toBe(1);
    expect(world.metrics.get('rateLimited')).toBe(1);
    expect(warnings(world)).toEqual([
      {
        level: 'warn',
        message: 'github rate limited; owner skipped for this run',
        attributes: { owner: 'acme', retryAtMs: T0 + 60_000 },
      },
    ]);
  });

  test('EC2 throttled: every later EC2 call of the run is skipped, said once', async () => {
    const world = new World();
    const run = runState(world);
    const throttled = () => Promise.reject(new RateLimitedError('RequestLimitExceeded'));
    await expect(run.ec2(throttled)).rejects.toThrow('ec2 rate limited');
    await expect(run.ec2(throttled)).rejects.toThrow(Deferred);
    let called = 0;
    await expect(run.ec2(async () => ++called)).rejects.toThrow(Deferred);
    expect(called).toBe(0);
    expect(run.ec2Blocked).toBe(true);
    expect(warnings(world).map((l) => l.message)).toEqual([
      'ec2 rate limited; remaining ec2 calls skipped for this run',
    ]);
  });

  test('other errors pass through, and an aborted run calls nothing', async () => {
    const world = new World();
    const run = runState(world);
    await expect(run.github('acme', () => Promise.reject(new TransientError('502')))).rejects.toThrow(TransientError);
    await expect(run.ec2(() => Promise.reject(new TransientError('500')))).rejects.toThrow(TransientError);
    run.aborted = true;
    let called = 0;
    await expect(run.github('acme', async () => ++called)).rejects.toThrow('run aborted');
    await expect(run.ec2(async () => ++called)).rejects.toThrow('run aborted');
    expect(called).toBe(0);
  });
});

describe('guard: how a step ends', () => {
  test('deferred: logged at debug with its reason, nothing counted', async () => {
    const world = new World();
    const run = runState(world);
    await run.guard({ instanceId: 'i-1' }, () => Promise.reject(new Deferred('owner rate limited')));
    expect(run.counts.errors).toBe(0);
    expect(world.log.lines).toEqual([
      {
        level: 'debug',
        message: 'instance deferred to a later run',
        attributes: { instanceId: 'i-1', reason: 'owner rate limited' },
      },
    ]);
  });

  test('a port error: counted and logged with the step, the run goes on', async () => {
    const world = new World();
    const run = runState(world);
    await run.guard({ instanceId: 'i-1', step: 'x' }, () => Promise.reject(new TransientError('EC2 500')));
    expect(run.counts.errors).toBe(1);
    expect(run.aborted).toBe(false);
    expect(warnings(world)[0]?.message).toBe('scale-down step failed');
    expect(warnings(world)[0]?.attributes).toMatchObject({
      instanceId: 'i-1',
      step: 'x',
      error: { name: 'TransientError' },
    });
  });

  test('anything else aborts the run: rethrown, and no later step runs', async () => {
    const world = new World();
    const run = runState(world);
    await expect(run.guard({}, () => Promise.reject(new TypeError('a bug')))).rejects.toThrow('a bug');
    expect(run.aborted).toBe(true);
    let ran = false;
    await run.guard({}, async () => {
      ran = true;
    });
    expect(ran).toBe(false);
  });
});

test('calls already in flight when the limit hits are deferred too, and the block is said once', async () => {
  const world = new World();
  const run = runState(world);
  const limitedSoon = () =>
    new Promise<never>((_, reject) => setImmediate(() => reject(new RateLimitedError('limit'))));
  const both = await Promise.allSettled([run.github('acme', limitedSoon), run.github('acme', limitedSoon)]);
  const ec2 = await Promise.allSettled([run.ec2(limitedSoon), run.ec2(limitedSoon)]);
  expect([...both, ...ec2].map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
  expect(world.metrics.get('rateLimited')).toBe(1);
  expect(warnings(world).map((l) => l.message)).toEqual([
    'github rate limited; owner skipped for this run',
    'ec2 rate limited; remaining ec2 calls skipped for this run',
  ]);
});

test('a deferral is a named error carrying its reason', () => {
  expect(new Deferred('owner rate limited')).toMatchObject({ name: 'Deferred', reason: 'owner rate limited' });
});
