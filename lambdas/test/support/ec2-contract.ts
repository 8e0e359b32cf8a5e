/**
 * Behaviours every Ec2Port implementation must show: the in-memory backend, the SDK adapter through
 * the HTTP facade, and the simulator's world. Instance timings are left to the implementation; the
 * suite only assumes boot and shutdown each take less than ten minutes.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { NotFoundError } from '../../src/errors.js';
import type { CreateFleetRequest, Ec2Port } from '../../src/ports/index.js';

export interface Ec2ContractSubject {
  readonly ec2: Ec2Port;
  /** Moves the world's clock forward. */
  advance(ms: number): void | Promise<void>;
  /** From now on, CreateFleet finds no capacity for this instance type. */
  exhaustCapacity(instanceType: string): void;
  close(): Promise<void>;
}

const TEN_MINUTES = 600_000;

export function fleetRequest(overrides: Partial<CreateFleetRequest> = {}): CreateFleetRequest {
  return {
    launchTemplateName: 'ghr-linux',
    overrides: [
      { instanceType: 'm5.large', subnetId: 'subnet-a' },
      { instanceType: 'c5.large', subnetId: 'subnet-b' },
    ],
    targetCapacity: 2,
    capacityType: 'spot',
    tags: { 'ghr:environment': 'test', 'ghr:pool': 'linux' },
    ...overrides,
  };
}

export function describeEc2Contract(name: string, setup: () => Promise<Ec2ContractSubject>): void {
  describe(`Ec2Port contract: ${name}`, () => {
    let subject: Ec2ContractSubject;
    beforeEach(async () => {
      subject = await setup();
    });
    afterEach(async () => {
      await subject.close();
    });

    test('createFleet launches pending instances with the tags, type and lifecycle asked for', async () => {
      // Act
      const result = await subject.ec2.createFleet(fleetRequest({ targetCapacity: 3 }));
      const listed = await subject.ec2.listInstances({ instanceIds: result.instanceIds });
      // Assess
      expect(result.errors).toEqual([]);
      expect(result.instanceIds).toHaveLength(3);
      expect(new Set(result.instanceIds).size).toBe(3);
      expect(listed).toHaveLength(3);
      for (const instance of listed) {
        expect(instance).toMatchObject({ state: 'pending', instanceType: 'm5.large', lifecycle: 'spot' });
        expect(instance.tags).toEqual({ 'ghr:environment': 'test', 'ghr:pool': 'linux' });
        expect(instance.launchTimeMs).toBeGreaterThan(0);
      }
    });

    test('instances boot to running', async () => {
      // Prepare
      const { instanceIds } = await subject.ec2.createFleet(
        fleetRequest({ capacityType: 'on-demand', targetCapacity: 1 }),
      );
      // Act
      await subject.advance(TEN_MINUTES);
      const listed = await subject.ec2.listInstances({ instanceIds });
      // Assess
      expect(listed.map((i) => [i.state, i.lifecycle])).toEqual([['running', 'on-demand']]);
    });

    test('createFleet falls back past an override without capacity and reports its error', async () => {
      // Prepare
      subject.exhaustCapacity('m5.large');
      // Act
      const result = await subject.ec2.createFleet(fleetRequest({ targetCapacity: 2 }));
      const listed = await subject.ec2.listInstances({ instanceIds: result.instanceIds });
      // Assess
      expect(result.instanceIds).toHaveLength(2);
      expect(listed.map((i) => i.instanceType)).toEqual(['c5.large', 'c5.large']);
      expect(result.errors.map((e) => e.code)).toEqual(['InsufficientInstanceCapacity']);
    });

    test('createFleet with no capacity anywhere launches nothing and says why', async () => {
      // Prepare
      subject.exhaustCapacity('m5.large');
      subject.exhaustCapacity('c5.large');
      // Act
      const result = await subject.ec2.createFleet(fleetRequest());
      // Assess
      expect(result.instanceIds).toEqual([]);
      expect(result.errors.length).toBeGreaterThan(0);
      expect(result.errors.every((e) => e.code === 'InsufficientInstanceCapacity')).toBe(true);
      expect(await subject.ec2.listInstances({ tags: { 'ghr:pool': 'linux' } })).toEqual([]);
    });

    test('listInstances returns every match beyond one page of 1000', async () => {
      // Prepare
      const launched: string[] = [];
      for (let i = 0; i < 11; i++) {
        const result = await subject.ec2.createFleet(
          fleetRequest({ targetCapacity: 100, tags: { 'ghr:pool': 'big' } }),
        );
        launched.push(...result.instanceIds);
      }
      await subject.ec2.createFleet(fleetRequest({ targetCapacity: 5, tags: { 'ghr:pool': 'small' } }));
      // Act
      const listed = await subject.ec2.listInstances({ tags: { 'ghr:pool': 'big' } });
      // Assess
      expect(listed).toHaveLength(1100);
      expect(new Set(listed.map((i) => i.instanceId))).toEqual(new Set(launched));
    });

    test('each filter narrows, and filters combine with AND', async () => {
      // Prepare
      const a = await subject.ec2.createFleet(fleetRequest({ targetCapacity: 2, tags: { pool: 'a', team: 'x' } }));
      const b = await subject.ec2.createFleet(
        fleetRequest({ targetCapacity: 2, tags: { pool: 'b', team: 'x', extra: '1' } }),
      );
      const [a1, a2] = a.instanceIds;
      const [b1] = b.instanceIds;
      if (a1 === undefined || a2 === undefined || b1 === undefined) throw new Error('fleet launched too few');
      await subject.ec2.terminateInstances([a2]);
      const ids = (list: { instanceId: string }[]) => list.map((i) => i.instanceId).sort();
      // Act
      const byTag = await subject.ec2.listInstances({ tags: { pool: 'a' } });
      const byTwoTags = await subject.ec2.listInstances({ tags: { pool: 'b', team: 'x' } });
      const byKey = await subject.ec2.listInstances({ tagKeys: ['extra'] });
      const byKeys = await subject.ec2.listInstances({ tagKeys: ['team', 'extra'] });
      const byState = await subject.ec2.listInstances({ tags: { team: 'x' }, states: ['pending', 'running'] });
      const byId = await subject.ec2.listInstances({ instanceIds: [a1, b1] });
      const combined = await subject.ec2.listInstances({
        instanceIds: [a1, a2, b1],
        tags: { pool: 'a' },
        states: ['pending'],
      });
      const none = await subject.ec2.listInstances({ tags: { pool: 'zzz' } });
      // Assess
      expect(ids(byTag)).toEqual([...a.instanceIds].sort());
      expect(ids(byTwoTags)).toEqual([...b.instanceIds].sort());
      expect(ids(byKey)).toEqual([...b.instanceIds].sort());
      expect(ids(byKeys)).toEqual([...b.instanceIds].sort());
      expect(ids(byState)).toEqual([a1, ...b.instanceIds].sort());
      expect(ids(byId)).toEqual([a1, b1].sort());
      expect(ids(combined)).toEqual([a1]);
      expect(none).toEqual([]);
    });

    test('createTags adds and overwrites, deleteTags removes by key', async () => {
      // Prepare
      const { instanceIds } = await subject.ec2.createFleet(fleetRequest({ targetCapacity: 2 }));
      // Act
      await subject.ec2.createTags(instanceIds, { 'ghr:lifecycle': 'retiring@1', 'ghr:pool': 'moved' });
      const tagged = await subject.ec2.listInstances({ tags: { 'ghr:lifecycle': 'retiring@1' } });
      await subject.ec2.deleteTags(instanceIds, ['ghr:lifecycle', 'ghr:not-there']);
      const after = await subject.ec2.listInstances({ instanceIds });
      // Assess
      expect(tagged.map((i) => i.tags['ghr:pool'])).toEqual(['moved', 'moved']);
      expect(after.map((i) => i.tags)).toEqual([
        { 'ghr:environment': 'test', 'ghr:pool': 'moved' },
        { 'ghr:environment': 'test', 'ghr:pool': 'moved' },
      ]);
    });

    test('tagging or terminating an unknown instance is NotFoundError', async () => {
      // Prepare
      const { instanceIds } = await subject.ec2.createFleet(fleetRequest({ targetCapacity: 1 }));
      const unknown = 'i-0fffffffffffffff0';
      // Act
      const tag = subject.ec2.createTags([...instanceIds, unknown], { k: 'v' });
      const untag = subject.ec2.deleteTags([unknown], ['k']);
      const terminate = subject.ec2.terminateInstances([unknown]);
      // Assess
      await expect(tag).rejects.toBeInstanceOf(NotFoundError);
      await expect(untag).rejects.toBeInstanceOf(NotFoundError);
      await expect(terminate).rejects.toBeInstanceOf(NotFoundError);
    });

    test('terminate goes shutting-down, then terminated; terminating again is harmless', async () => {
      // Prepare
      const { instanceIds } = await subject.ec2.createFleet(fleetRequest({ targetCapacity: 2 }));
      const [victim, survivor] = instanceIds;
      if (victim === undefined || survivor === undefined) throw new Error('fleet launched too few');
      // Act
      await subject.ec2.terminateInstances([victim]);
      const right = await subject.ec2.listInstances({ instanceIds: [victim] });
      await subject.advance(TEN_MINUTES);
      await subject.ec2.terminateInstances([victim]);
      const later = await subject.ec2.listInstances({ instanceIds });
      const live = await subject.ec2.listInstances({ instanceIds, states: ['pending', 'running'] });
      // Assess
      expect(right.map((i) => i.state)).toEqual(['shutting-down']);
      expect(later.find((i) => i.instanceId === victim)?.state).toBe('terminated');
      expect(live.map((i) => i.instanceId)).toEqual([survivor]);
    });
  });
}
