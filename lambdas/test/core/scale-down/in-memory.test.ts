import { describe, expect, test } from '@jest/globals';
import { runScaleDown } from '../../../src/core/scale-down/index.js';
import { TAG, decodeAgentState, decodeLifecycle, encodeAgentState } from '../../../src/core/tags.js';
import { noMetrics, silentLog } from '../../../src/observability/types.js';
import type { Clock, Ports, RunnerOwner } from '../../../src/ports/index.js';
import { InMemoryGitHub } from '../../../src/sim/facades/github/in-memory.js';
import { InMemoryEc2, InMemorySqs, InMemorySsm, ManualClock } from '../../../src/sim/memory/index.js';
import { intercept } from '../../../src/sim/ports/intercept.js';
import { MIN, makeConfig } from '../world.js';

/**
 * The protocol against the project's in-memory port backends (the ones the contract suites
 * hold to the production adapters), with a JIT-registered runner per instance. The agent is
 * emulated at the settle wait: it answers the mark with its current state.
 */
async function fleet(pool: 'repo' | 'org', count: number) {
  const manual = new ManualClock();
  const ec2 = new InMemoryEc2(manual, { bootMs: 0 });
  const github = new InMemoryGitHub(manual);
  const ssm = new InMemorySsm(manual);
  const sqs = new InMemorySqs(manual);
  const config = makeConfig();
  for (const p of Object.values(config.pools)) sqs.createQueue(p.queueUrl);
  const owner: RunnerOwner =
    pool === 'repo' ? { kind: 'repo', owner: 'acme', repo: 'app' } : { kind: 'org', org: 'acme' };
  const { instanceIds } = await ec2.createFleet({
    launchTemplateName: 'lt',
    overrides: [{ instanceType: 'm7g.large', subnetId: 'subnet-0abc' }],
    targetCapacity: count,
    capacityType: 'on-demand',
    tags: { [TAG.environment]: 'test', [TAG.pool]: pool, [TAG.owner]: pool === 'repo' ? 'acme/app' : 'acme' },
  });
  manual.advance(30 * MIN);
  const runnerIds = new Map<string, number>();
  for (const instanceId of instanceIds) {
    const jit = await github.generateJitConfig(owner, {
      name: instanceId,
      labels: [pool === 'repo' ? 'pool-a' : 'pool-b'],
      runnerGroupId: 1,
    });
    github.setStatus(jit.runnerId, 'online');
    runnerIds.set(instanceId, jit.runnerId);
    await ec2.createTags([instanceId], {
      [TAG.runnerId]: String(jit.runnerId),
      [TAG.agentState]: encodeAgentState({ state: 'idle', atMs: manual.now() - 20 * MIN }),
    });
  }
  let duringSettle: () => Promise<void> = async () => {};
  const clock = intercept<Clock>(manual);
  clock.before('sleep', () => duringSettle());
  const agentsAnswer = async () => {
    for (const instance of await ec2.listInstances({ instanceIds })) {
      const mark = decodeLifecycle(instance.tags[TAG.lifecycle]);
      const state = decodeAgentState(instance.tags[TAG.agentState]);
      if (mark && state) {
        await ec2.createTags([instance.instanceId], {
          [TAG.agentState]: encodeAgentState({ ...state, ackMarkMs: mark.markMs }),
        });
      }
    }
  };
  duringSettle = agentsAnswer;
  const ports: Ports = { github, ec2, ssm, sqs, clock: clock.port };
  return {
    ports,
    github,
    ec2,
    instanceIds,
    runnerIds,
    config,
    setDuringSettle: (f: () => Promise<void>) => (duringSettle = f),
    agentsAnswer,
  };
}

describe('runScaleDown on the in-memory port backends', () => {
  test.each(['repo', 'org'] as const)(
    '%s pool: idle surplus runners are retired, registrations deleted',
    async (pool) => {
      // Prepare
      const f = await fleet(pool, 3);
      // Act
      const report = await runScaleDown({ ports: f.ports, config: f.config, log: silentLog, metrics: noMetrics });
      // Assess
      expect(report).toMatchObject({ retired: 3, quarantined: 3, leaseHeld: false });
      const owner: RunnerOwner =
        pool === 'repo' ? { kind: 'repo', owner: 'acme', repo: 'app' } : { kind: 'org', org: 'acme' };
      expect(await f.github.listRunners(owner)).toEqual([]);
      const live = await f.ec2.listInstances({ instanceIds: f.instanceIds, states: ['pending', 'running'] });
      expect(live).toEqual([]);
    },
  );

  test('a runner GitHub holds busy after the quarantine is left retiring (DELETE 422), the others retire', async () => {
    // Prepare
    const f = await fleet('org', 3);
    const busyId = f.runnerIds.get(f.instanceIds[0]!)!;
    f.setDuringSettle(async () => {
      await f.agentsAnswer();
      f.github.setBusy(busyId, true);
    });
    // Act
    const report = await runScaleDown({ ports: f.ports, config: f.config, log: silentLog, metrics: noMetrics });
    // Assess
    expect(report.retired).toBe(2);
    const [kept] = await f.ec2.listInstances({ instanceIds: [f.instanceIds[0]!], states: ['running'] });
    expect(decodeLifecycle(kept?.tags[TAG.lifecycle])?.phase).toBe('quarantined');
    const groups = await f.github.listRunnerGroups('acme');
    const quarantine = groups.find((g) => g.name === 'ghr-quarantine');
    expect(quarantine).toMatchObject({ visibility: 'selected', selectedRepositoryIds: [] });
    expect((await f.github.getRunner({ kind: 'org', org: 'acme' }, busyId)).runnerGroupId).toBe(quarantine?.id);
  });
});
