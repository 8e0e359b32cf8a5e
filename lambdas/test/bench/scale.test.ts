import { describe, expect, test } from '@jest/globals';
import { withAgentAcks } from '../../src/bench/scale/acking-ec2.js';
import { benchOwners, floorCalls } from '../../src/bench/scale/owners.js';
import { runScale } from '../../src/bench/scale/run.js';
import { TAG, decodeAgentState, encodeLifecycle } from '../../src/core/tags.js';
import { InMemoryEc2, ManualClock } from '../../src/sim/memory/index.js';

describe('scale benchmark fixture', () => {
  test('owners alternate org and repo and share the instances out', () => {
    // Act
    const owners = benchOwners(10, 4);

    // Assess
    expect(owners.map((o) => o.owner.kind)).toEqual(['org', 'repo', 'org', 'repo']);
    expect(owners.map((o) => o.runners)).toEqual([3, 3, 2, 2]);
    expect(new Set(owners.map((o) => o.key)).size).toBe(4);
  });

  test('floor: list pages per owner, quarantine + delete per runner, group setup per org', () => {
    // Prepare: 2 orgs and 2 repos, 250 runners each (3 pages each).
    const owners = benchOwners(1000, 4);

    // Act
    const floor = floorCalls(owners);

    // Assess
    expect(floor).toBe(4 * 3 + 2 * 1000 + 2 * 2);
  });

  test('the EC2 wrapper acknowledges a lifecycle mark as an idle agent would', async () => {
    // Prepare
    const clock = new ManualClock(1_000_000);
    const backend = new InMemoryEc2(clock);
    const { instanceIds } = await backend.createFleet({
      launchTemplateName: 'lt',
      overrides: [{ instanceType: 'm5.large', subnetId: 'subnet-0a' }],
      targetCapacity: 2,
      capacityType: 'on-demand',
      tags: {},
    });
    const ec2 = withAgentAcks(backend, clock);
    clock.advance(5_000);

    // Act
    await ec2.createTags(instanceIds, { [TAG.lifecycle]: encodeLifecycle({ phase: 'retiring', markMs: 777 }) });
    await ec2.createTags([instanceIds[0]!], { other: 'x' });

    // Assess
    const [a, b] = await backend.listInstances({ instanceIds });
    for (const instance of [a, b]) {
      expect(decodeAgentState(instance?.tags[TAG.agentState])).toEqual({
        state: 'idle',
        atMs: 1_005_000,
        ackMarkMs: 777,
      });
    }
  });

  test('a small run through the facades retires every instance with both strategies', async () => {
    // Act
    const result = await runScale({ instances: 100, owners: 4, latencyMs: 2 });

    // Assess
    expect(result.rows.map((r) => r.strategy)).toEqual(['quarantine', 'sequential']);
    for (const row of result.rows) {
      expect(row.retired).toBe(100);
      expect(row.remainingInstances).toBe(0);
      expect(row.remainingRunners).toBe(0);
      expect(row.githubCalls).toBeGreaterThanOrEqual(row.floorCalls);
      expect(row.floorCalls).toBe(4 + 200 + 4);
      expect(
        row.githubCallsByEndpoint['PUT /orgs/{org}/actions/runner-groups/{runner_group_id}/runners/{runner_id}'],
      ).toBe(50);
      expect(row.githubCallsByEndpoint['PUT /repos/{owner}/{repo}/actions/runners/{runner_id}/labels']).toBe(50);
    }
    expect(result.ratio).toBeGreaterThan(0);
  });
});
