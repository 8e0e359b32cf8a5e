import { describe, expect, test } from '@jest/globals';
import { runScaleDown } from '../../../src/core/scale-down/index.js';
import { TAG, decodeLifecycle } from '../../../src/core/tags.js';
import { RateLimitedError } from '../../../src/errors.js';
import { MIN, T0, World, makeConfig } from '../fakes/world.js';

describe('runScaleDown: limits and less common paths', () => {
  test.each([
    [{ global: 3, perKey: 2 }, 3, 2],
    [{ global: 1, perKey: 1 }, 1, 1],
  ])('concurrency %j: at most %i calls at once, %i per owner', async (limits, globalMax, ownerMax) => {
    // Prepare: two owners, four surplus runners each; every quarantine call takes a macrotask
    const world = new World();
    for (let i = 0; i < 4; i++) {
      world.addRunner({ id: `i-r${i}` });
      world.addRunner({ id: `i-o${i}`, pool: 'org' });
    }
    const inFlight = new Map<string, number>();
    let peak = 0;
    let peakOwner = 0;
    const track = async <T>(owner: string, call: () => Promise<T>): Promise<T> => {
      inFlight.set(owner, (inFlight.get(owner) ?? 0) + 1);
      const total = [...inFlight.values()].reduce((a, b) => a + b, 0);
      peak = Math.max(peak, total);
      peakOwner = Math.max(peakOwner, inFlight.get(owner)!);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight.set(owner, inFlight.get(owner)! - 1);
      return call();
    };
    const labels = world.github.setCustomLabels.bind(world.github);
    const move = world.github.addRunnerToGroup.bind(world.github);
    world.github.setCustomLabels = (owner, id, l) => track('repo', () => labels(owner, id, l));
    world.github.addRunnerToGroup = (org, group, id) => track('org', () => move(org, group, id));
    // Act
    const report = await runScaleDown(world.context(), { concurrency: limits });
    // Assess
    expect(report.retired).toBe(8);
    expect(peak).toBe(globalMax);
    expect(peakOwner).toBe(ownerMax);
  });

  test('marks and quarantine times are written in one batch per run, not per instance', async () => {
    const world = new World();
    for (let i = 0; i < 5; i++) world.addRunner({ id: `i-${i}` });
    await runScaleDown(world.context());
    expect(world.ec2.calls.filter((c) => c === 'createTags')).toHaveLength(2);
    expect(world.ec2.calls.filter((c) => c === 'terminateInstances')).toHaveLength(1);
    expect([...world.ec2.instances.values()].every((i) => i.state === 'terminated')).toBe(true);
  });

  test('reusable pool: an instance between registrations is retired on an "exited" acknowledgement, no DELETE', async () => {
    // Prepare
    const world = new World(makeConfig({}, { ephemeral: false }));
    world.addRunner({ id: 'i-1', registered: false, agent: `exited@${T0 - MIN}` });
    // Act
    const report = await runScaleDown(world.context());
    // Assess
    expect(report.retired).toBe(1);
    expect(world.state('i-1')).toBe('terminated');
    expect(world.github.calls).not.toContain('deleteRunner');
    expect(world.github.calls).not.toContain('setCustomLabels');
  });

  test('reusable pool: an instance that registered after the mark is sent back to "retiring", not terminated', async () => {
    const world = new World(makeConfig({}, { ephemeral: false }));
    world.addRunner({ id: 'i-1', registered: false, agent: `exited@${T0 - MIN}` });
    world.clock.onSleep = () => {
      world.github.addRunner({ kind: 'repo', owner: 'acme', repo: 'app' }, { id: 77, name: 'i-1' });
    };
    const report = await runScaleDown(world.context());
    expect(report.retired).toBe(0);
    expect(world.state('i-1')).toBe('running');
    expect(decodeLifecycle(world.tag('i-1', TAG.lifecycle))?.phase).toBe('retiring');
  });

  test('an agent that wrote a newer state without acknowledging is asked again, then retired', async () => {
    // Prepare: the agent ignores the first mark, then writes `idle` (e.g. after a job)
    const world = new World();
    world.ackAgents = false;
    world.addRunner({ id: 'i-1' });
    await runScaleDown(world.context());
    world.clock.nowMs += 5 * MIN;
    world.ec2.instances.get('i-1')!.tags[TAG.agentState] = `idle@${world.clock.now()}`;
    // Act
    const second = await runScaleDown(world.context());
    const remarked = decodeLifecycle(world.tag('i-1', TAG.lifecycle));
    world.ack('i-1');
    world.clock.nowMs += 5 * MIN;
    const third = await runScaleDown(world.context());
    // Assess
    expect(second.counts?.remarked).toBe(1);
    expect(remarked?.markMs).toBeGreaterThan(T0);
    expect(third.retired).toBe(1);
    expect(world.state('i-1')).toBe('terminated');
  });

  test('EC2 throttling on the mark leaves everything for the next run', async () => {
    const world = new World();
    world.addRunner({ id: 'i-1' });
    world.ec2.before = (call) => {
      if (call === 'createTags') throw new RateLimitedError('RequestLimitExceeded');
    };
    const first = await runScaleDown(world.context());
    world.ec2.before = () => {};
    world.clock.nowMs += 5 * MIN;
    const second = await runScaleDown(world.context());
    expect(first.retired).toBe(0);
    expect(world.github.calls.filter((c) => c === 'setCustomLabels')).toHaveLength(1);
    expect(second.retired).toBe(1);
  });
});
