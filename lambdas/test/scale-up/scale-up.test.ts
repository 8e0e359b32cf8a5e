import { describe, expect, it } from '@jest/globals';
import { MAX_RETURN_WAITS } from '../../src/core/scale-up/requeue.js';
import { handleScaleUpBatch } from '../../src/core/scale-up/scale-up.js';
import { RUNNER_CONFIG_TAG, webUrl } from '../../src/core/scale-up/runner-config.js';
import { encodeLifecycle, TAG } from '../../src/core/tags.js';
import { PermanentError, RateLimitedError, TransientError } from '../../src/errors.js';
import {
  LINUX_QUEUE,
  CONFIG_PATH,
  ENVIRONMENT,
  existingInstance,
  jobAtGitHub,
  jobMessage,
  poolInstances,
  records,
  recorder,
  scaleUpConfig,
  world,
  type World,
} from './fixtures.js';

function run(w: World, config = scaleUpConfig(), r = recorder()) {
  return (...batch: Parameters<typeof records>) =>
    handleScaleUpBatch(records(...batch), w.deps, { config, log: r.log, metrics: r.metrics });
}

describe('scale-up: launching a runner for a queued job', () => {
  it('launches one instance with the fleet tags, stores its JIT config and tags it', async () => {
    // Prepare
    const w = world();
    jobAtGitHub(w, 1);
    // Act
    const result = await run(w)(jobMessage({ jobId: 1 }));
    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    const [instance, ...more] = await poolInstances(w);
    expect(more).toEqual([]);
    const id = instance?.instanceId ?? 'none';
    expect(instance?.tags).toMatchObject({
      [TAG.environment]: ENVIRONMENT,
      [TAG.application]: 'github-action-runner',
      [TAG.owner]: 'acme',
      [TAG.type]: 'Org',
      [TAG.pool]: 'linux',
      'cost-center': 'ci',
      [RUNNER_CONFIG_TAG]: `ready@${w.clock.now()}`,
    });
    const [runner] = await w.github.listRunners({ kind: 'org', org: 'acme' });
    expect(runner?.name).toBe(id);
    expect(instance?.tags[TAG.runnerId]).toBe(String(runner?.id));
    expect(runner?.labels.map((l) => l.name)).toEqual(expect.arrayContaining(['self-hosted', 'gpu']));
    expect(w.seams.puts).toEqual([
      expect.objectContaining({ name: `${CONFIG_PATH}/linux/${id}`, type: 'SecureString' }),
    ]);
    const stored = await w.ssm.getParameter(`${CONFIG_PATH}/linux/${id}`);
    expect(JSON.parse(Buffer.from(stored.value, 'base64').toString('utf8'))['.runner']).toMatchObject({
      agentName: id,
    });
  });

  it('spans instance types × subnets in one instant fleet of the pool capacity type', async () => {
    const w = world();
    jobAtGitHub(w, 1);
    await run(w)(jobMessage({ jobId: 1 }));
    expect(w.seams.fleetRequests).toEqual([
      expect.objectContaining({
        capacityType: 'spot',
        targetCapacity: 1,
        launchTemplateName: 'ghr-test-linux',
        overrides: [
          { instanceType: 'm7i.large', subnetId: 'subnet-0a' },
          { instanceType: 'm7i.large', subnetId: 'subnet-0b' },
          { instanceType: 'm6i.large', subnetId: 'subnet-0a' },
          { instanceType: 'm6i.large', subnetId: 'subnet-0b' },
        ],
      }),
    ]);
  });

  it('respects maxRunners, counting retiring instances, and holds the rest on the queue', async () => {
    // Prepare: max 3; two live instances, one of them retiring. The jobs waited for a returning
    // runner as often as they may (returnWaits), so they are launched for like any other.
    const w = world();
    await existingInstance(w, 'linux');
    await existingInstance(w, 'linux', { [TAG.lifecycle]: encodeLifecycle({ phase: 'retiring', markMs: 1 }) });
    for (const id of [1, 2, 3]) jobAtGitHub(w, id);
    const r = recorder();
    const waited = { returnWaits: MAX_RETURN_WAITS };
    // Act
    const result = await run(w, scaleUpConfig(), r)(
      jobMessage({ jobId: 1, ...waited }),
      jobMessage({ jobId: 2, ...waited }),
      jobMessage({ jobId: 3, ...waited }),
    );
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(w.seams.sends.map((m) => JSON.parse(m.body))).toEqual([
      expect.objectContaining({ jobId: 2, attempt: 1 }),
      expect.objectContaining({ jobId: 3, attempt: 1 }),
      expect.objectContaining({ jobId: 1, recheck: 1 }),
    ]);
    expect(await poolInstances(w)).toHaveLength(3);
    expect(r.counts.get('ScaleUpAtMaximum')).toBe(2);
    const retiring = (await poolInstances(w)).find((i) => i.tags[TAG.lifecycle] !== undefined);
    expect(retiring?.tags[RUNNER_CONFIG_TAG]).toBeUndefined();
  });

  it('holds a job for a runner scale-down is retiring, which it can give back sooner than an instance boots', async () => {
    // Prepare: room for two more; one instance of the pool is retiring.
    const w = world();
    await existingInstance(w, 'linux', {
      [TAG.lifecycle]: encodeLifecycle({ phase: 'quarantined', markMs: 1, quarantinedMs: 2 }),
    });
    for (const id of [1, 2]) jobAtGitHub(w, id);
    const r = recorder();
    // Act
    const result = await run(w, scaleUpConfig(), r)(jobMessage({ jobId: 1 }), jobMessage({ jobId: 2 }));
    // Assess: one job waits (a delayed copy: the demand scale-down's settle wait reads), one is launched for.
    expect(result.batchItemFailures).toEqual([]);
    const sent = w.seams.sends.map((m) => JSON.parse(m.body) as { jobId: number; returnWaits?: number });
    expect(sent.filter((m) => m.returnWaits === 1).map((m) => m.jobId)).toEqual([1]);
    expect(r.counts.get('heldForReturn')).toBe(1);
    expect(await poolInstances(w)).toHaveLength(2);
  });

  it('launches the jobs of one pool in a batch with one CreateFleet', async () => {
    const w = world();
    for (const id of [1, 2, 3]) jobAtGitHub(w, id);
    const result = await run(w)(jobMessage({ jobId: 1 }), jobMessage({ jobId: 2 }), jobMessage({ jobId: 3 }));
    expect(result.batchItemFailures).toEqual([]);
    expect(w.seams.fleetRequests.map((f) => f.targetCapacity)).toEqual([3]);
    expect(await poolInstances(w)).toHaveLength(3);
    expect(await w.github.listRunners({ kind: 'org', org: 'acme' })).toHaveLength(3);
  });

  it('retries the jobs a partial launch could not serve', async () => {
    const w = world();
    w.seams.launchCap = 1;
    for (const id of [1, 2]) jobAtGitHub(w, id);
    const result = await run(w)(jobMessage({ jobId: 1 }), jobMessage({ jobId: 2 }));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-2' }]);
    expect(await poolInstances(w)).toHaveLength(1);
  });

  it('falls back to on-demand when spot has no capacity', async () => {
    const w = world();
    w.seams.spotExhausted = true;
    jobAtGitHub(w, 1);
    const r = recorder();
    const result = await run(w, scaleUpConfig(), r)(jobMessage({ jobId: 1 }));
    expect(result.batchItemFailures).toEqual([]);
    expect(w.seams.fleetRequests.map((f) => f.capacityType)).toEqual(['spot', 'on-demand']);
    const [instance] = await poolInstances(w);
    expect(instance?.lifecycle).toBe('on-demand');
    expect(r.counts.get('ScaleUpOnDemandFallback')).toBe(1);
  });

  it("launches spot with the pool's allocation strategy, price-capacity-optimized by default", async () => {
    const byDefault = world();
    jobAtGitHub(byDefault, 1);
    await run(byDefault)(jobMessage({ jobId: 1 }));
    const chosen = world();
    jobAtGitHub(chosen, 1);
    await run(chosen, scaleUpConfig({}, { spotAllocationStrategy: 'capacity-optimized' }))(jobMessage({ jobId: 1 }));
    expect(
      [...byDefault.seams.fleetRequests, ...chosen.seams.fleetRequests].map((f) => f.spotAllocationStrategy),
    ).toEqual(['price-capacity-optimized', 'capacity-optimized']);
  });

  it("tags a pool's instances with its own instanceTags, never over the module's ghr:* tags", async () => {
    const w = world();
    jobAtGitHub(w, 1);
    await run(
      w,
      scaleUpConfig({ extraTags: { team: 'all', cost: 'fleet' } }, { instanceTags: { cost: 'gpu-pool' } }),
    )(jobMessage({ jobId: 1 }));
    expect(w.seams.fleetRequests[0]?.tags).toMatchObject({ team: 'all', cost: 'gpu-pool', [TAG.pool]: 'linux' });
    expect(() => scaleUpConfig({}, { instanceTags: { 'ghr:pool': 'other' } })).toThrow();
    expect(() => scaleUpConfig({}, { instanceTags: { 'a/b': 'x' } })).toThrow();
  });

  it('refuses an allocation strategy EC2 does not know at cold start', () => {
    expect(() => scaleUpConfig({}, { spotAllocationStrategy: 'cheapest' })).toThrow();
  });

  it('retries the message without fallback when onDemandFallback is off', async () => {
    const w = world();
    w.seams.spotExhausted = true;
    jobAtGitHub(w, 1);
    const result = await run(w, scaleUpConfig({}, { onDemandFallback: false }))(jobMessage({ jobId: 1 }));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(w.seams.fleetRequests.map((f) => f.capacityType)).toEqual(['spot']);
  });

  it('dead-letters a job whose launch fails permanently (a bad launch template), with the reason', async () => {
    // Prepare
    const w = world();
    w.seams.fleetErrorCode = 'InvalidLaunchTemplateName.NotFoundException';
    jobAtGitHub(w, 1);
    const r = recorder();
    const message = jobMessage({ jobId: 1 });
    // Act
    const result = await run(w, scaleUpConfig(), r)(message);
    // Assess: acknowledged, not lost: on the pool's dead-letter queue with its reason, counted, logged
    expect(result.batchItemFailures).toEqual([]);
    expect(r.lines.some((l) => l.level === 'error' && l.message === 'launch failed')).toBe(true);
    expect(r.counts.get('ScaleUpDeadLettered')).toBe(1);
    const dead = w.seams.sends.filter((s) => s.queueUrl === `${LINUX_QUEUE}-dlq`);
    expect(dead).toHaveLength(1);
    const letter = JSON.parse(dead[0]!.body) as { reason: string; message: string };
    expect(letter.reason).toBe('PermanentError');
    expect(JSON.parse(letter.message)).toEqual(message);
  });

  it('retries a job it cannot dead-letter (SQS refuses the send): SQS redrives it after its receives', async () => {
    const w = world();
    w.seams.fleetErrorCode = 'InvalidLaunchTemplateName.NotFoundException';
    w.seams.failSend = new TransientError('SQS 500');
    jobAtGitHub(w, 1);
    const r = recorder();
    const result = await run(w, scaleUpConfig(), r)(jobMessage({ jobId: 1 }));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(r.counts.get('ScaleUpDeadLettered')).toBeUndefined();
  });
});

describe('scale-up: nothing half-made', () => {
  it('terminates the instance and retries the message when storing the config fails', async () => {
    // Prepare
    const w = world();
    jobAtGitHub(w, 1);
    w.seams.failPut = new TransientError('SSM 500');
    // Act
    const result = await run(w)(jobMessage({ jobId: 1 }));
    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(await poolInstances(w)).toEqual([]);
    const all = await w.memoryEc2.listInstances({});
    expect(all.map((i) => i.state)).toEqual(['shutting-down']);
    // The registration made for it is gone too: no runner waits for a process that never starts.
    expect(await w.github.listRunners({ kind: 'org', org: 'acme' })).toEqual([]);
  });

  it('terminates the instance and retries the message when GitHub refuses the JIT config', async () => {
    const w = world();
    jobAtGitHub(w, 1);
    w.github.failNext('generateJitConfig', new RateLimitedError('secondary rate limit'));
    const result = await run(w)(jobMessage({ jobId: 1 }));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(await poolInstances(w)).toEqual([]);
    expect(w.seams.puts).toEqual([]);
  });

  it('ends only the instance whose config failed when a fleet launched several', async () => {
    const w = world();
    for (const id of [1, 2]) jobAtGitHub(w, id);
    w.github.failNext('generateJitConfig', new TransientError('GitHub 502'));
    const result = await run(w)(jobMessage({ jobId: 1 }), jobMessage({ jobId: 2 }));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    const states = (await w.memoryEc2.listInstances({})).map((i) => i.state).sort();
    expect(states).toEqual(['running', 'shutting-down']);
    const [configured] = await poolInstances(w);
    expect(configured?.tags[RUNNER_CONFIG_TAG]).toBeDefined();
  });

  it('launches on the retry once the cause is gone', async () => {
    const w = world();
    jobAtGitHub(w, 1);
    w.seams.failPut = new TransientError('SSM 500');
    await run(w)(jobMessage({ jobId: 1 }));
    w.seams.failPut = undefined;
    const retried = await run(w)(jobMessage({ jobId: 1 }));
    expect(retried.batchItemFailures).toEqual([]);
    expect(await poolInstances(w)).toHaveLength(1);
  });
});

describe('scale-up: token registration (GHES without JIT)', () => {
  it('stores config.sh arguments with a registration token and no runner id', async () => {
    // Prepare
    const w = world();
    jobAtGitHub(w, 1);
    const config = scaleUpConfig({
      registration: 'token',
      github: { apiUrl: 'https://ghes.example.com/api/v3', appIdParameter: '/a', privateKeyParameter: '/k' },
    });
    // Act
    const result = await run(w, config)(jobMessage({ jobId: 1 }));
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const [instance] = await poolInstances(w);
    const id = instance?.instanceId ?? 'none';
    const stored = (await w.ssm.getParameter(`${CONFIG_PATH}/linux/${id}`)).value;
    expect(stored).toMatch(
      new RegExp(
        `^--url https://ghes\\.example\\.com/acme --token [A-Z0-9]{29} --name ${id} ` +
          '--labels self-hosted,linux,x64,gpu --unattended --no-default-labels --ephemeral$',
      ),
    );
    expect(instance?.tags[TAG.runnerId]).toBeUndefined();
    expect(instance?.tags[RUNNER_CONFIG_TAG]).toBe(`ready@${w.clock.now()}`);
    expect(await w.github.listRunners({ kind: 'org', org: 'acme' })).toEqual([]);
  });
});

describe('webUrl: where a runner registers, from the API URL', () => {
  it.each([
    ['github.com', 'https://api.github.com', 'https://github.com'],
    ['GHES', 'https://ghes.example.com/api/v3', 'https://ghes.example.com'],
    ['GHES, trailing slash', 'https://ghes.example.com/api/v3/', 'https://ghes.example.com'],
    [
      'GHE.com data residency (API on the api. host, no /api/v3)',
      'https://api.octocorp.ghe.com',
      'https://octocorp.ghe.com',
    ],
    ['a host merely named api. elsewhere', 'https://api.example.com/api/v3', 'https://api.example.com'],
  ])('%s', (_name, apiUrl, expected) => {
    expect(webUrl(apiUrl)).toBe(expected);
  });
});

describe('scale-up: message handling', () => {
  it('drops a job that is no longer queued or that GitHub does not know', async () => {
    const w = world();
    jobAtGitHub(w, 1, 'in_progress');
    const r = recorder();
    const result = await run(w, scaleUpConfig(), r)(jobMessage({ jobId: 1 }), jobMessage({ jobId: 2 }));
    expect(result.batchItemFailures).toEqual([]);
    expect(await poolInstances(w)).toEqual([]);
    expect(r.lines.filter((l) => l.attributes['reason'] === 'job_not_queued')).toHaveLength(2);
  });

  it('launches without asking GitHub when checkJobQueued is off', async () => {
    const w = world();
    const result = await run(w, scaleUpConfig({ checkJobQueued: false }))(jobMessage({ jobId: 1 }));
    expect(result.batchItemFailures).toEqual([]);
    expect(await poolInstances(w)).toHaveLength(1);
  });

  it('retries on a rate limit and dead-letters on a permanent GitHub error', async () => {
    const w = world();
    jobAtGitHub(w, 1);
    jobAtGitHub(w, 2);
    w.github.failNext('getJob', new RateLimitedError('rate limited'));
    w.github.failNext('getJob', new PermanentError('403 resource not accessible'));
    const r = recorder();
    const result = await run(w, scaleUpConfig(), r)(jobMessage({ jobId: 1 }), jobMessage({ jobId: 2 }));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(await poolInstances(w)).toEqual([]);
    expect(r.counts.get('ScaleUpDeadLettered')).toBe(1);
  });

  it('drops malformed messages and messages for unknown pools without failing the batch', async () => {
    const w = world();
    jobAtGitHub(w, 1);
    const r = recorder();
    const result = await run(w, scaleUpConfig(), r)(
      'not json',
      JSON.stringify({ kind: 'job', jobId: 'x' }),
      jobMessage({ jobId: 1, pool: 'nope', deliveryId: 'other-delivery' }),
      jobMessage({ jobId: 1 }),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(await poolInstances(w)).toHaveLength(1);
    expect(r.counts.get('ScaleUpDropped')).toBe(3);
    expect(JSON.stringify(r.lines)).not.toContain('not json');
  });

  it('acts once on two messages of the same delivery', async () => {
    const w = world();
    jobAtGitHub(w, 1);
    const result = await run(w)(jobMessage({ jobId: 1 }), jobMessage({ jobId: 1 }));
    expect(result.batchItemFailures).toEqual([]);
    expect(await poolInstances(w)).toHaveLength(1);
  });

  it('never logs the JIT config', async () => {
    const w = world();
    jobAtGitHub(w, 1);
    const r = recorder();
    await run(w, scaleUpConfig(), r)(jobMessage({ jobId: 1 }));
    const [instance] = await poolInstances(w);
    const stored = (await w.ssm.getParameter(`${CONFIG_PATH}/linux/${instance?.instanceId ?? ''}`)).value;
    expect(JSON.stringify(r.lines)).not.toContain(stored);
    expect(w.deps.secrets.scrubString(`x ${stored} y`)).toBe('x [REDACTED] y');
  });
});
