import { describe, expect, test } from '@jest/globals';
import { observeFleet } from '../../../src/core/scale-down/observe.js';
import { TAG } from '../../../src/core/tags.js';
import { RateLimitedError } from '../../../src/errors.js';
import { MIN, ORG, REPO, T0, World } from '../world.js';

describe('observeFleet', () => {
  test('joins runners to instances by name, else by the runner id tag, and decodes the tags', async () => {
    // Prepare
    const world = new World();
    await world.addRunner({ id: 'i-named', agent: `busy:12@${T0 - 1000}` });
    const otherId = await world.register(REPO, 'some-other-name');
    await world.addRunner({
      id: 'i-tagged',
      registered: false,
      tags: { [TAG.runnerId]: String(otherId), [TAG.jobEvidence]: `in_progress:12@${T0}` },
    });
    await world.addRunner({
      id: 'i-none',
      registered: false,
      tags: { [TAG.lifecycle]: `quarantined@${T0 - 5}/${T0 - 4}`, [TAG.orphan]: 'true' },
    });
    // Act
    const observation = await observeFleet(world.ports, world.config, world.log);
    // Assess
    const byId = new Map(observation.instances.map((i) => [i.instanceId, i]));
    expect(byId.get('i-named')?.runner?.name).toBe('i-named');
    expect(byId.get('i-named')?.agent).toEqual({ state: 'busy', jobId: '12', atMs: T0 - 1000 });
    expect(byId.get('i-tagged')?.runner?.id).toBe(otherId);
    expect(byId.get('i-tagged')?.evidence).toEqual({ status: 'in_progress', jobId: '12', atMs: T0 });
    expect(byId.get('i-none')?.runner).toBeUndefined();
    expect(byId.get('i-none')?.lifecycle).toEqual({ phase: 'quarantined', markMs: T0 - 5, quarantinedMs: T0 - 4 });
    expect(byId.get('i-none')?.orphanSinceMs).toBe(0);
    expect(observation.observedAtMs).toBe(T0);
  });

  test('lists each owner once, from the pools and from Owner tags, and only this environment', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    await world.addRunner({ id: 'i-2' });
    await world.addRunner({ id: 'i-3', tags: { [TAG.owner]: 'other-org' } });
    world.ec2.addInstance({
      instanceId: 'i-foreign',
      launchTimeMs: T0 - 30 * MIN,
      tags: { [TAG.environment]: 'prod', [TAG.owner]: 'stranger' },
    });
    const observation = await observeFleet(world.ports, world.config, world.log);
    expect(observation.owners.map((o) => o.key).sort()).toEqual(['acme', 'acme/app', 'other-org']);
    expect(world.spy.github.calls.filter((c) => c === 'listRunners')).toHaveLength(3);
    expect(observation.instances.map((i) => i.instanceId)).not.toContain('i-foreign');
  });

  test('an owner whose list fails is marked unknown; the rest is observed', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-repo' });
    await world.addRunner({ id: 'i-org', pool: 'org' });
    world.spy.github.before('listRunners', ({ args: [owner] }) => {
      if (owner.kind === 'org') throw new RateLimitedError('limited');
    });
    const observation = await observeFleet(world.ports, world.config, world.log);
    const org = observation.instances.find((i) => i.instanceId === 'i-org');
    const repo = observation.instances.find((i) => i.instanceId === 'i-repo');
    expect(org?.registrationKnown).toBe(false);
    expect(repo?.registrationKnown).toBe(true);
    expect(observation.owners.find((o) => o.key === 'acme')?.listed).toBe(false);
    expect(ORG.kind).toBe('org');
  });

  test('an instance without a pool tag joins the one pool that serves its owner (upstream migration)', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-legacy' });
    await world.addRunner({ id: 'i-stranger', tags: { [TAG.owner]: 'nobody' } });
    await world.ec2.deleteTags(['i-legacy', 'i-stranger'], [TAG.pool]);
    const observation = await observeFleet(world.ports, world.config, world.log);
    expect(observation.instances.find((i) => i.instanceId === 'i-legacy')?.pool).toBe('repo');
    expect(observation.instances.find((i) => i.instanceId === 'i-stranger')?.pool).toBeUndefined();
  });

  test('queue depth counts visible, in-flight and delayed messages', async () => {
    const world = new World();
    const repo = 'https://sqs.test/repo';
    for (let i = 0; i < 2; i++) await world.sqs.sendMessage(repo, 'job');
    await world.sqs.receiveMessages(repo, { maxMessages: 2 }); // in flight
    await world.sqs.sendMessage(repo, 'job'); // visible
    for (let i = 0; i < 3; i++) await world.sqs.sendMessage(repo, 'job', { delaySeconds: 60 });
    const observation = await observeFleet(world.ports, world.config, world.log);
    expect(observation.pools.repo?.queueDepth).toBe(6);
    expect(observation.pools.org?.queueDepth).toBe(0);
  });
});
