import { describe, expect, test } from '@jest/globals';
import { faultClass } from '../../src/sim/faults/catalog.js';
import { runFaultSimulation } from '../../src/sim/faults/run.js';
import { gatePorts } from '../../src/sim/ports/gate-ports.js';
import type { CallGate } from '../../src/sim/ports/gate.js';
import { inProcessPorts } from '../../src/sim/ports/index.js';
import type { Ports } from '../../src/ports/index.js';
import { bootedWorld } from '../sim/helpers.js';

/** A gate that lets every call through and remembers its step name. */
function recordingGate(): CallGate & { steps: string[] } {
  const steps: string[] = [];
  return { steps, crashed: (step) => (steps.push(step), false) };
}

async function someCalls(ports: Ports, queueUrl: string): Promise<void> {
  const org = { kind: 'org', org: 'acme' } as const;
  const [runner] = await ports.github.listRunners(org);
  await ports.github.getRunner(org, runner!.id);
  await ports.github.listRunnerGroups('acme');
  const [instance] = await ports.ec2.listInstances({ states: ['running'] });
  await ports.ec2.createTags([instance!.instanceId], { a: 'b' });
  await ports.ssm.listParameters('/sim');
  await ports.sqs.getQueueDepth(queueUrl);
}

describe('the crash gate in front of any ports (the HTTP door puts it before the production adapters)', () => {
  test('gives every call the step name the in-process door gives it, so crash points hit alike', async () => {
    // Prepare
    const { world, pool } = await bootedWorld();
    const direct = recordingGate();
    const gated = recordingGate();
    // Act
    await someCalls(inProcessPorts(world, direct), pool.config.queueUrl);
    await someCalls(gatePorts(inProcessPorts(world), gated), pool.config.queueUrl);
    // Assess
    expect(gated.steps).toEqual(direct.steps);
    expect(direct.steps).toContain('github.GET /orgs/{org}/actions/runners/{id}');
  });
});

describe('runner configs of instances that never boot', () => {
  test('the baselines leave them in SSM; quarantine sweeps them', async () => {
    // Prepare: the spot class with 5 % failed boots (their agent never reads its config).
    const base = faultClass('spot-interruptions').scenario;
    const scenario = { ...base, world: { ...base.world, ec2: { ...base.world.ec2, bootFailureRate: 0.05 } } };
    // Act
    const ours = await runFaultSimulation({ scenario, strategy: 'quarantine', seed: 1 });
    const naive = await runFaultSimulation({ scenario, strategy: 'naive', seed: 1 });
    // Assess
    expect(ours.secretsLeft).toBe(0);
    expect(ours.metrics.get('runnerConfigsSwept') ?? 0).toBeGreaterThan(0);
    expect(naive.secretsLeft).toBeGreaterThan(0);
  });
});
