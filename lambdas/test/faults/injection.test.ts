import { describe, expect, test } from '@jest/globals';
import { TransientError } from '../../src/errors.js';
import { secretsLeft } from '../../src/sim/faults/secrets.js';
import { InProcessGitHub } from '../../src/sim/ports/index.js';
import { advance, bootedWorld } from '../sim/helpers.js';

const ORG = { kind: 'org', org: 'acme' } as const;

describe('GitHub call faults of the in-process door', () => {
  test('off by default: no call fails and nothing is drawn', async () => {
    const { world } = await bootedWorld({ instances: 2 });
    const github = new InProcessGitHub(world);
    for (let i = 0; i < 50; i++) await github.listRunners(ORG);
    expect(world.counters.injected.size).toBe(0);
  });

  test('errorRate 1: every call answers a 5xx as TransientError, counted', async () => {
    const { world } = await bootedWorld({ params: { github: { errorRate: 1 } } });
    const github = new InProcessGitHub(world);
    await expect(github.listRunners(ORG)).rejects.toBeInstanceOf(TransientError);
    expect(world.counters.injected.get('error')).toBe(1);
  });

  test('a timed-out DELETE that GitHub carried out: the runner is gone, the client sees a timeout after the wait', async () => {
    // Prepare
    const { world } = await bootedWorld({
      params: { github: { timeoutRate: 1, timeoutAppliedShare: 1, timeoutSeconds: 10 } },
    });
    const github = new InProcessGitHub(world);
    const [registration] = [...world.github.registrations.values()];
    let outcome: unknown;
    // Act
    // Invoked through the engine, as the control plane is: its promise chains are drained between events.
    world.engine
      .invoke(() => github.deleteRunner(ORG, registration!.id))
      .promise.then(
        () => (outcome = 'ok'),
        (error: unknown) => (outcome = error),
      );
    await advance(world, 5_000);
    const early = outcome;
    await advance(world, 6_000);
    // Assess
    expect(early).toBeUndefined();
    expect(outcome).toBeInstanceOf(TransientError);
    expect(registration!.deleted).toBe(true);
  });

  test('a timed-out call that never reached GitHub changes nothing', async () => {
    const { world } = await bootedWorld({
      params: { github: { timeoutRate: 1, timeoutAppliedShare: 0, timeoutSeconds: 10 } },
    });
    const github = new InProcessGitHub(world);
    const [registration] = [...world.github.registrations.values()];
    const result = world.engine.invoke(() => github.deleteRunner(ORG, registration!.id)).promise;
    const settled = expect(result).rejects.toBeInstanceOf(TransientError);
    await advance(world, 11_000);
    await settled;
    expect(registration!.deleted).toBeFalsy();
  });
});

describe('runner configs left in SSM', () => {
  test('a config of a gone instance counts once the housekeeping grace and slack have passed', async () => {
    // Prepare: a config left for an instance that then went (spot) before its agent read it.
    const { world, instanceIds } = await bootedWorld({ instances: 2 });
    world.ssm.put({
      name: `/sim/runners/linux/${instanceIds[0]!}`,
      value: 'x'.repeat(20),
      type: 'SecureString',
      overwrite: true,
    });
    world.ec2.terminate(world.ec2.instances.get(instanceIds[0]!)!, 'spot');
    // Act / Assess
    await advance(world, 60_000);
    expect(secretsLeft(world, '/sim/runners', 10 * 60_000)).toBe(0);
    await advance(world, 25 * 60_000);
    expect(secretsLeft(world, '/sim/runners', 10 * 60_000)).toBe(1);
  });

  test('the agent of a booted instance read its config (scale-up stored it) and deleted it', async () => {
    const { world, instanceIds } = await bootedWorld({ instances: 3 });
    expect(instanceIds).toHaveLength(3);
    expect(world.rest.issuedSecrets).toHaveLength(3);
    expect(world.ssm.list('/sim/runners')).toEqual([]);
  });
});
