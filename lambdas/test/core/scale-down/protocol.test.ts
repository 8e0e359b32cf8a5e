import { describe, expect, test } from '@jest/globals';
import { runScaleDown } from '../../../src/core/scale-down/index.js';
import { TAG, decodeLifecycle } from '../../../src/core/tags.js';
import { RateLimitedError } from '../../../src/errors.js';
import { MIN, REPO, T0, TERMINATED, World, makeConfig } from '../world.js';

describe('runScaleDown: limits and less common paths', () => {
  test.each([
    [{ global: 3, perKey: 2 }, 3, 2],
    [{ global: 1, perKey: 1 }, 1, 1],
  ])('concurrency %j: at most %i calls at once, %i per owner', async (limits, globalMax, ownerMax) => {
    // Prepare: two owners, four surplus runners each; every quarantine call takes a macrotask
    const world = new World();
    for (let i = 0; i < 4; i++) {
      await world.addRunner({ id: `i-r${i}` });
      await world.addRunner({ id: `i-o${i}`, pool: 'org' });
    }
    const inFlight = new Map<string, number>();
    let peak = 0;
    let peakOwner = 0;
    const track = (owner: string) => async () => {
      inFlight.set(owner, (inFlight.get(owner) ?? 0) + 1);
      const total = [...inFlight.values()].reduce((a, b) => a + b, 0);
      peak = Math.max(peak, total);
      peakOwner = Math.max(peakOwner, inFlight.get(owner)!);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight.set(owner, inFlight.get(owner)! - 1);
    };
    world.spy.github.before('setCustomLabels', track('repo'));
    world.spy.github.before('addRunnerToGroup', track('org'));
    // Act
    const report = await runScaleDown(world.context(), { concurrency: limits });
    // Assess
    expect(report.retired).toBe(8);
    expect(peak).toBe(globalMax);
    expect(peakOwner).toBe(ownerMax);
  });

  test('marks, quarantine times and confirmation marks are written in one batch per run, not per instance', async () => {
    const world = new World();
    for (let i = 0; i < 5; i++) await world.addRunner({ id: `i-${i}` });
    await runScaleDown(world.context());
    expect(world.spy.ec2.calls.filter((c) => c === 'createTags')).toHaveLength(3);
    expect(world.spy.ec2.calls.filter((c) => c === 'terminateInstances')).toHaveLength(1);
    const instances = await world.ec2.listInstances({});
    expect(instances).toHaveLength(5);
    expect(instances.every((i) => TERMINATED.test(i.state))).toBe(true);
  });

  test('reusable pool: an instance between registrations is retired on an "exited" acknowledgement, no DELETE', async () => {
    // Prepare
    const world = new World(makeConfig({}, { ephemeral: false }));
    await world.addRunner({ id: 'i-1', registered: false, agent: `exited@${T0 - MIN}` });
    // Act
    const report = await runScaleDown(world.context());
    // Assess
    expect(report.retired).toBe(1);
    expect(await world.state('i-1')).toMatch(TERMINATED);
    expect(world.spy.github.calls).not.toContain('deleteRunner');
    expect(world.spy.github.calls).not.toContain('setCustomLabels');
  });

  test('reusable pool: an instance that registered after the mark is sent back to "retiring", not terminated', async () => {
    const world = new World(makeConfig({}, { ephemeral: false }));
    await world.addRunner({ id: 'i-1', registered: false, agent: `exited@${T0 - MIN}` });
    const unhook = world.spy.clock.after('sleep', async () => {
      unhook(); // registers once
      await world.register(REPO, 'i-1');
    });
    const report = await runScaleDown(world.context());
    expect(report.retired).toBe(0);
    expect(await world.state('i-1')).toBe('running');
    expect(decodeLifecycle(await world.tag('i-1', TAG.lifecycle))?.phase).toBe('retiring');
  });

  test('an agent that wrote a newer state without acknowledging is asked again, then retired', async () => {
    // Prepare: the agent ignores the first mark, then writes `idle` (e.g. after a job)
    const world = new World();
    world.ackAgents = false;
    await world.addRunner({ id: 'i-1' });
    await runScaleDown(world.context());
    world.clock.advance(5 * MIN);
    await world.setTags('i-1', { [TAG.agentState]: `idle@${world.clock.now()}` });
    // Act
    const second = await runScaleDown(world.context());
    const remarked = decodeLifecycle(await world.tag('i-1', TAG.lifecycle));
    await world.ack('i-1');
    world.clock.advance(5 * MIN);
    const third = await runScaleDown(world.context());
    // Assess
    expect(second.counts?.remarked).toBe(1);
    expect(remarked?.markMs).toBeGreaterThan(T0);
    expect(third.retired).toBe(1);
    expect(await world.state('i-1')).toMatch(TERMINATED);
  });

  test('EC2 throttling on the mark leaves everything for the next run', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    const unhook = world.spy.ec2.before('createTags', () => {
      throw new RateLimitedError('RequestLimitExceeded');
    });
    const first = await runScaleDown(world.context());
    unhook();
    world.clock.advance(5 * MIN);
    const second = await runScaleDown(world.context());
    expect(first.retired).toBe(0);
    expect(world.spy.github.calls.filter((c) => c === 'setCustomLabels')).toHaveLength(1);
    expect(second.retired).toBe(1);
  });
});
