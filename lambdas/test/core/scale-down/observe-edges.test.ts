import { describe, expect, test } from '@jest/globals';
import {
  AGENT_CLOCK_SKEW_MS,
  clampAgentTime,
  indexRunners,
  observeFleet,
  observeInstance,
} from '../../../src/core/scale-down/observe.js';
import { TAG } from '../../../src/core/tags.js';
import { TransientError } from '../../../src/errors.js';
import type { FleetInstance, GitHubRunner } from '../../../src/ports/index.js';
import { MIN, T0, World, makeConfig } from '../world.js';

/**
 * The edges of observe.ts (issue 13, mutation testing): every field an instance's tags give, and
 * the ones they do not; tags that are not what we write; an agent's time at the edges of what it
 * could have written; an owner or a queue that cannot be read.
 */

const LAUNCH = T0 - 30 * MIN;
const config = makeConfig();

function fleetInstance(tags: Record<string, string>, id = 'i-1'): FleetInstance {
  return {
    instanceId: id,
    state: 'running',
    launchTimeMs: LAUNCH,
    instanceType: 'm7g.large',
    lifecycle: 'on-demand',
    tags: { [TAG.environment]: 'test', ...tags },
  };
}

const runner = (id: number, name: string): GitHubRunner => ({
  id,
  name,
  os: 'linux',
  status: 'online',
  busy: false,
  labels: [],
});

describe('observeInstance', () => {
  test('an instance with nothing but its pool: exactly the fields that exist, none undefined', () => {
    const observed = observeInstance(fleetInstance({ [TAG.pool]: 'repo' }), config, () => indexRunners([]), T0);
    expect(observed).toStrictEqual({
      instanceId: 'i-1',
      state: 'running',
      launchTimeMs: LAUNCH,
      pool: 'repo',
      owner: { kind: 'repo', owner: 'acme', repo: 'app' },
      ownerKey: 'acme/app',
      registrationKnown: true,
      bypassRemoval: false,
      tags: { [TAG.environment]: 'test', [TAG.pool]: 'repo' },
    });
  });

  test('every tag we write is read back', () => {
    const tags = {
      [TAG.pool]: 'org',
      [TAG.owner]: 'acme',
      [TAG.runnerId]: '42',
      [TAG.lifecycle]: `quarantined@${T0 - 5}/${T0 - 4}`,
      [TAG.fence]: String(T0 - 9),
      [TAG.agentState]: `idle@${T0 - MIN}/ack:${T0 - 5}`,
      [TAG.jobEvidence]: `completed:12@${T0 - 2 * MIN}`,
      [TAG.orphan]: String(T0 - 3 * MIN),
      [TAG.bypassRemoval]: 'true',
    };
    const observed = observeInstance(fleetInstance(tags), config, () => indexRunners([runner(42, 'other')]), T0);
    expect(observed).toStrictEqual({
      instanceId: 'i-1',
      state: 'running',
      launchTimeMs: LAUNCH,
      pool: 'org',
      owner: { kind: 'org', org: 'acme' },
      ownerKey: 'acme',
      runner: runner(42, 'other'),
      registrationKnown: true,
      runnerIdTag: 42,
      lifecycle: { phase: 'quarantined', markMs: T0 - 5, quarantinedMs: T0 - 4 },
      fenceToken: T0 - 9,
      agent: { state: 'idle', atMs: T0 - MIN, ackMarkMs: T0 - 5 },
      evidence: { status: 'completed', jobId: '12', atMs: T0 - 2 * MIN },
      orphanSinceMs: T0 - 3 * MIN,
      bypassRemoval: true,
      tags: { [TAG.environment]: 'test', ...tags },
    });
  });

  // The tag names the registration scale-up gave last: while a job runs on the one named after the
  // instance (consumed), the next one may wait, prepared ahead, and only it can take a job.
  test('the runner id tag wins over the runner named after the instance; without the tag the name joins', () => {
    const index = indexRunners([runner(1, 'i-1'), runner(2, 'i-1-1')]);
    const join = (tags: Record<string, string>) =>
      observeInstance(fleetInstance({ [TAG.pool]: 'repo', ...tags }), config, () => index, T0).runner?.id;
    expect(join({ [TAG.runnerId]: '2' })).toBe(2);
    expect(join({})).toBe(1);
    expect(join({ [TAG.runnerId]: '3' })).toBe(1);
  });

  test('a busy registration of the instance other than the joined one is a REST sign of work; another instance’s is not', () => {
    const id = 'i-0123456789abcdef0';
    const own = { ...runner(1, id), busy: true };
    const next = { ...runner(2, `${id}-1`), status: 'offline' as const };
    const stranger = { ...runner(3, 'i-0fedcba987654321f'), busy: true };
    const seen = (runners: GitHubRunner[]) =>
      observeInstance(
        fleetInstance({ [TAG.pool]: 'repo', [TAG.runnerId]: '2' }, id),
        config,
        () => indexRunners(runners),
        T0,
      );
    expect(seen([own, next, stranger])).toMatchObject({ runner: next, earlierRunnerBusy: true });
    expect(seen([{ ...own, busy: false }, next, stranger]).earlierRunnerBusy).toBeUndefined();
    expect(seen([next, stranger]).earlierRunnerBusy).toBeUndefined();
  });

  test.each([
    ['a runner id that is not a number', { [TAG.runnerId]: '4x2' }, 'runnerIdTag'],
    ['a runner id of 17 digits', { [TAG.runnerId]: '12345678901234567' }, 'runnerIdTag'],
    ['an empty fence', { [TAG.fence]: '' }, 'fenceToken'],
  ])('%s is no value', (_name, tags, field) => {
    const observed = observeInstance(fleetInstance({ [TAG.pool]: 'repo', ...tags }), config, () => undefined, T0);
    expect(observed).not.toHaveProperty(field);
  });

  test('a runner id of 16 digits is one', () => {
    const observed = observeInstance(
      fleetInstance({ [TAG.pool]: 'repo', [TAG.runnerId]: '1234567890123456' }),
      config,
      () => undefined,
      T0,
    );
    expect(observed.runnerIdTag).toBe(1234567890123456);
  });

  test('bypass-removal "false" does not bypass; any other value does', () => {
    const read = (value: string) =>
      observeInstance(fleetInstance({ [TAG.pool]: 'repo', [TAG.bypassRemoval]: value }), config, () => undefined, T0)
        .bypassRemoval;
    expect(read('false')).toBe(false);
    expect(read('')).toBe(true);
    expect(read('yes')).toBe(true);
  });

  test('no pool tag and an empty owner tag: the pool from nothing, the owner from nothing', () => {
    const observed = observeInstance(fleetInstance({ [TAG.owner]: '' }), config, () => undefined, T0);
    expect(observed).not.toHaveProperty('pool');
    expect(observed).not.toHaveProperty('owner');
    expect(observed.registrationKnown).toBe(false);
  });

  test('an owner two pools serve gives an untagged instance no pool', () => {
    const shared = makeConfig({}, { owner: 'acme' });
    const observed = observeInstance(fleetInstance({ [TAG.owner]: 'acme' }), shared, () => undefined, T0);
    expect(observed).not.toHaveProperty('pool');
    expect(observed.ownerKey).toBe('acme');
  });

  test('a forged agent time is read as the launch time and flagged', () => {
    const observed = observeInstance(
      fleetInstance({ [TAG.pool]: 'repo', [TAG.agentState]: `busy:1@${T0 + AGENT_CLOCK_SKEW_MS + 1}` }),
      config,
      () => undefined,
      T0,
    );
    expect(observed.agent?.atMs).toBe(LAUNCH);
    expect(observed.agentTimeForged).toBe(true);
  });
});

describe('clampAgentTime', () => {
  const idle = (atMs: number) => ({ state: 'idle' as const, atMs });
  test.each([
    ['now plus the skew: written now', T0 + AGENT_CLOCK_SKEW_MS, T0 + AGENT_CLOCK_SKEW_MS, false],
    ['past now plus the skew: forged, read as the launch', T0 + AGENT_CLOCK_SKEW_MS + 1, LAUNCH, true],
    ['at the launch: as written', LAUNCH, LAUNCH, false],
    ['before the launch: read as the launch, not forged', LAUNCH - 1, LAUNCH, false],
  ])('%s', (_name, atMs, readMs, forged) => {
    expect(clampAgentTime(idle(atMs), LAUNCH, T0)).toEqual({ agent: idle(readMs), forged });
  });
});

describe('observeFleet when something cannot be read', () => {
  test('an owner that cannot be listed: said with its key and the error, its failure named', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    world.github.failNext('listRunners', new TransientError('GitHub 502'));
    const observation = await observeFleet(world.ports, world.config, world.log);
    const failed = observation.owners.find((o) => !o.listed);
    expect(failed).toMatchObject({ key: 'acme/app', listFailure: 'TransientError', runnerCount: 0 });
    expect(observation.owners.find((o) => o.listed)).not.toHaveProperty('listFailure');
    const line = world.log.lines.find((l) => l.message === 'runner list failed');
    expect(line?.attributes).toMatchObject({ owner: 'acme/app', error: { name: 'TransientError' } });
  });

  test('a bug while listing is not taken for an unreadable owner', async () => {
    const world = new World();
    world.spy.github.before('listRunners', () => {
      throw new TypeError('a bug');
    });
    await expect(observeFleet(world.ports, world.config, world.log)).rejects.toThrow('a bug');
  });

  test('a queue that cannot be read: that pool has no depth, said; the others do', async () => {
    const world = new World();
    world.spy.sqs.before('getQueueDepth', ({ args: [url] }) => {
      if (url === world.config.pools['org']!.queueUrl) throw new TransientError('SQS 500');
    });
    const observation = await observeFleet(world.ports, world.config, world.log);
    expect(observation.pools['org']).toStrictEqual({ name: 'org' });
    expect(observation.pools['repo']).toStrictEqual({ name: 'repo', queueDepth: 0 });
    const line = world.log.lines.find((l) => l.message === 'queue depth unavailable');
    expect(line?.attributes).toMatchObject({ pool: 'org', error: { name: 'TransientError' } });
  });

  test('a bug while reading a queue is not hidden', async () => {
    const world = new World();
    world.spy.sqs.before('getQueueDepth', () => {
      throw new TypeError('a bug');
    });
    await expect(observeFleet(world.ports, world.config, world.log)).rejects.toThrow('a bug');
  });

  test('only pending and running instances of this environment are observed', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    await world.addRunner({ id: 'i-2' });
    await world.ec2.terminateInstances(['i-2']);
    const observation = await observeFleet(world.ports, world.config, world.log);
    expect(observation.instances.map((i) => i.instanceId)).toEqual(['i-1']);
  });

  test('at most one list at a time per owner, and an empty owner tag names no owner', async () => {
    const world = new World();
    await world.addRunner({ id: 'i-1', tags: { [TAG.owner]: '' } });
    const observation = await observeFleet(world.ports, world.config, world.log, 1);
    expect(observation.owners.map((o) => o.key).sort()).toEqual(['acme', 'acme/app']);
    expect(observation.owners.every((o) => o.listed && o.runnerCount >= 0)).toBe(true);
    expect(observation.owners.find((o) => o.key === 'acme/app')?.runnerCount).toBe(1);
  });
});

describe('owners come from the configuration and the instances’ own owner tags', () => {
  test('an instance without an owner tag (or an empty one) adds no owner to list', async () => {
    // Prepare: a pool's instance as expected, and two of this environment that carry no owner
    const world = new World();
    await world.addRunner({ id: 'i-1' });
    world.ec2.addInstance({ instanceId: 'i-no-owner', launchTimeMs: LAUNCH, tags: { [TAG.environment]: 'test' } });
    world.ec2.addInstance({
      instanceId: 'i-empty-owner',
      launchTimeMs: LAUNCH,
      tags: { [TAG.environment]: 'test', [TAG.owner]: '' },
    });
    const listed: string[] = [];
    world.spy.github.before('listRunners', ({ args: [owner] }) => {
      listed.push(owner.kind === 'org' ? owner.org : `${owner.owner}/${owner.repo}`);
    });
    // Act
    const observation = await observeFleet(world.ports, world.config, world.log);
    // Assess
    expect(observation.instances.map((i) => i.instanceId).sort()).toEqual(['i-1', 'i-empty-owner', 'i-no-owner']);
    expect(listed.sort()).toEqual(['acme', 'acme/app']);
  });
});
