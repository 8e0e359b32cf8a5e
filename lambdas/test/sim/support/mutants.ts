import { runScaleDown } from '../../../src/core/scale-down/index.js';
import type { ScaleDownContext, ScaleDownStrategy } from '../../../src/core/strategy.js';
import { TAG, decodeLifecycle } from '../../../src/core/tags.js';
import type { Ec2Port, GitHubPort, Ports, SqsPort } from '../../../src/ports/index.js';

/**
 * Our protocol with one of its mechanisms switched off, for the test that proves the main property
 * can fail (properties-mutants.test.ts). Each is the real `runScaleDown` given ports that undo one
 * mechanism's effect, so nothing in what ships carries a switch (the wait for the quarantine to take
 * effect has no port-level effect to undo: properties-mutant-settle.test.ts mocks it out):
 *
 * - `no-quarantine`: quarantine calls report success and change nothing (jobs keep matching);
 * - `no-recheck`: the re-check does not get the instance's word: every marked instance reads as
 *   acknowledged idle, with no job evidence (only GitHub's lagging `busy` is left).
 *
 * And for liveness (properties.test.ts, L3): `blind-to-demand`: every job queue reads empty, so
 * nothing is ever given back for waiting jobs.
 */
export const MUTANTS = ['no-quarantine', 'no-recheck'] as const;
export type Mutant = (typeof MUTANTS)[number] | 'blind-to-demand';

function withoutQuarantine(github: GitHubPort, quarantineGroupName: string): GitHubPort {
  const quarantineGroups = new Set<number>();
  return new Proxy(github, {
    get(target, key, receiver) {
      if (key === 'setCustomLabels')
        return async (...args: Parameters<GitHubPort['setCustomLabels']>) => {
          const [owner, runnerId, labels] = args;
          if (labels.some((l) => l.startsWith('ghr-quarantine-')))
            return (await target.getRunner(owner, runnerId)).labels;
          return target.setCustomLabels(...args);
        };
      if (key === 'listRunnerGroups')
        return async (org: string) => {
          const groups = await target.listRunnerGroups(org);
          for (const g of groups) if (g.name === quarantineGroupName) quarantineGroups.add(g.id);
          return groups;
        };
      if (key === 'createRunnerGroup')
        return async (...args: Parameters<GitHubPort['createRunnerGroup']>) => {
          const group = await target.createRunnerGroup(...args);
          quarantineGroups.add(group.id);
          return group;
        };
      if (key === 'addRunnerToGroup')
        return async (org: string, groupId: number, runnerId: number) => {
          if (!quarantineGroups.has(groupId)) await target.addRunnerToGroup(org, groupId, runnerId);
        };
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
}

function withoutAgentWord(ec2: Ec2Port): Ec2Port {
  return new Proxy(ec2, {
    get(target, key, receiver) {
      if (key !== 'listInstances') return Reflect.get(target, key, receiver) as unknown;
      return async (...args: Parameters<Ec2Port['listInstances']>) =>
        (await target.listInstances(...args)).map((instance) => {
          const mark = decodeLifecycle(instance.tags[TAG.lifecycle]);
          if (mark === undefined) return instance;
          const { [TAG.jobEvidence]: _evidence, ...tags } = instance.tags;
          return { ...instance, tags: { ...tags, [TAG.agentState]: `idle@${mark.markMs}/ack:${mark.markMs}` } };
        });
    },
  });
}

function blindToDemand(sqs: SqsPort): SqsPort {
  return new Proxy(sqs, {
    get(target, key, receiver) {
      if (key !== 'getQueueDepth') return Reflect.get(target, key, receiver) as unknown;
      return async () => Promise.resolve({ visible: 0, inFlight: 0, delayed: 0 });
    },
  });
}

function mutatePorts(ports: Ports, context: ScaleDownContext, mutant: Mutant): Ports {
  switch (mutant) {
    case 'blind-to-demand':
      return { ...ports, sqs: blindToDemand(ports.sqs) };
    case 'no-quarantine':
      return { ...ports, github: withoutQuarantine(ports.github, context.config.quarantineGroupName) };
    case 'no-recheck':
      return { ...ports, ec2: withoutAgentWord(ports.ec2) };
  }
}

export function mutantStrategy(mutant: Mutant): ScaleDownStrategy {
  return {
    name: `quarantine (${mutant})`,
    run: (context) => runScaleDown({ ...context, ports: mutatePorts(context.ports, context, mutant) }),
  };
}
