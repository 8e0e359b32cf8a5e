import { describe, expect, test } from '@jest/globals';
import { ConflictError, NotFoundError, RateLimitedError } from '../../src/errors.js';
import { InProcessGitHub } from '../../src/sim/ports/index.js';
import type { RunnerOwner } from '../../src/ports/github.js';
import { advance, bootedWorld, submit, testPool, testWorld } from './helpers.js';

const org: RunnerOwner = { kind: 'org', org: 'acme' };
const fixed = (s: number): [number, number] => [s, s];

describe('GitHub: matching and the REST busy view', () => {
  test('a job goes to an online idle runner whose labels cover it; REST busy lags assignment (variant A)', async () => {
    // Prepare
    const { world, pool } = await bootedWorld({ pool: testPool('linux', { ephemeral: false }), registration: 'token' });
    const github = new InProcessGitHub(world);
    // Act
    const job = world.submitJob({
      repo: { owner: 'acme', repo: 'app' },
      labels: ['linux-pool'],
      pool: 'linux',
      durationMs: 600_000,
      pinnedBusyLagMs: 40_000,
    });
    const other = submit(world, pool, 60_000, { labels: ['gpu'] });
    const [runner] = await github.listRunners(org);
    const busyAtOnce = (await github.getRunner(org, runner!.id)).busy;
    await advance(world, 41_000);
    const busyLater = (await github.getRunner(org, runner!.id)).busy;
    // Assess
    expect(job.status === 'assigned' || job.status === 'running').toBe(true);
    expect(job.runnerId).toBe(runner!.id);
    expect(other.status).toBe('queued');
    expect(busyAtOnce).toBe(false);
    expect(busyLater).toBe(true);
  });

  test('DELETE answers 422 on a busy view, 204 on a stale-false view, and the listener then cancels the job', async () => {
    // Prepare
    const { world, pool } = await bootedWorld({ pool: testPool('linux', { ephemeral: false }), registration: 'token' });
    const github = new InProcessGitHub(world);
    const job = submit(world, pool, 3_600_000, {
      pinnedBusyLagMs: 1000,
      pinnedStale: [{ offsetMs: 600_000, durationMs: 300_000 }],
    });
    await advance(world, 60_000);
    // Act
    const refused = github.deleteRunner(org, job.runnerId!);
    await expect(refused).rejects.toBeInstanceOf(ConflictError);
    await advance(world, 600_000);
    await github.deleteRunner(org, job.runnerId!);
    const afterDelete = github.getRunner(org, job.runnerId!);
    await advance(world, 50_000);
    // Assess
    await expect(afterDelete).rejects.toBeInstanceOf(NotFoundError);
    expect(job.status).toBe('killed');
    expect(job.cause).toBe('delete');
  });

  test('a JIT assignment consumes the registration: GET and DELETE answer 404 and the job runs on', async () => {
    // Prepare
    const { world, pool } = await bootedWorld({ pool: testPool('linux', { ephemeral: true }), registration: 'jit' });
    const github = new InProcessGitHub(world);
    const job = submit(world, pool, 300_000);
    await advance(world, 5000);
    // Act
    const get = github.getRunner(org, job.runnerId!);
    const del = github.deleteRunner(org, job.runnerId!);
    await advance(world, 400_000);
    // Assess
    await expect(get).rejects.toBeInstanceOf(NotFoundError);
    await expect(del).rejects.toBeInstanceOf(NotFoundError);
    expect(job.status).toBe('completed');
    expect(world.ec2.instances.get(job.instanceId!)?.terminatedBy).toBe('self');
  });

  test('pessimistic variant: DELETE of an assigned JIT runner answers 204 and the job is cancelled', async () => {
    // Prepare
    const { world, pool } = await bootedWorld({
      params: { github: { jitDeleteCancels: true } },
      pool: testPool('linux', { ephemeral: true }),
      registration: 'jit',
    });
    const github = new InProcessGitHub(world);
    const job = submit(world, pool, 3_600_000);
    await advance(world, 5000);
    // Act
    await github.deleteRunner(org, job.runnerId!);
    await advance(world, 60_000);
    // Assess
    expect(job.status).toBe('killed');
    expect(job.cause).toBe('delete');
  });

  test('a label change takes effect for matching after the propagation delay; the running job is unaffected', async () => {
    // Prepare
    const { world, pool } = await bootedWorld({
      params: { github: { labelPropagationSeconds: fixed(5) } },
      // maxRunners 1: the modelled scale-up launches no second runner for the late job.
      pool: testPool('linux', { ephemeral: false, maxRunners: 1 }),
      registration: 'token',
      instances: 1,
    });
    const github = new InProcessGitHub(world);
    const [runner] = await github.listRunners(org);
    // Act
    await github.setCustomLabels(org, runner!.id, ['ghr-quarantine-1']);
    const early = submit(world, pool, 60_000);
    await advance(world, 120_000);
    const late = submit(world, pool, 60_000);
    await advance(world, 120_000);
    // Assess
    expect(early.status).toBe('completed');
    expect(late.status).toBe('queued');
  });

  test('stale-labels variant: the matcher keeps the old labels', async () => {
    const { world, pool, instanceIds } = await bootedWorld({
      params: { github: { staleLabels: true } },
      pool: testPool('linux', { ephemeral: false, maxRunners: 1 }),
      registration: 'token',
    });
    const github = new InProcessGitHub(world);
    const [runner] = await github.listRunners(org);
    await github.setCustomLabels(org, runner!.id, ['quarantine']);
    await advance(world, 120_000);
    const job = submit(world, pool, 60_000);
    await advance(world, 10_000);
    expect(job.instanceId).toBe(instanceIds[0]);
  });

  test('a runner moved into a group with no repository access gets no new job', async () => {
    // Prepare
    const { world, pool } = await bootedWorld({
      pool: testPool('linux', { ephemeral: false, maxRunners: 1 }),
      registration: 'token',
    });
    const github = new InProcessGitHub(world);
    const group = await github.createRunnerGroup('acme', { name: 'ghr-quarantine', visibility: 'selected' });
    const [runner] = await github.listRunners(org);
    // Act
    await github.addRunnerToGroup('acme', group.id, runner!.id);
    await advance(world, 10_000);
    const job = submit(world, pool, 60_000);
    await advance(world, 60_000);
    // Assess
    expect(job.status).toBe('queued');
  });

  test('webhooks are delivered with a delay, and lost at the configured rate', async () => {
    const world = testWorld({ github: { webhookLossRate: 1 } }, [testPool('linux')]);
    submit(world, testPool('linux'), 1000);
    await advance(world, 60_000);
    expect(world.github.deliveries.map((d) => [d.action, d.lost])).toEqual([['queued', true]]);
    expect(world.ec2.instances.size).toBe(0);
  });

  test('the secondary limit answers RateLimitedError and counts the hit', async () => {
    // Prepare
    const world = testWorld({ github: { secondaryPointsPerMinute: 3 } });
    const github = new InProcessGitHub(world);
    // Act
    for (let i = 0; i < 3; i++) await github.listRunners(org);
    const fourth = github.listRunners(org);
    // Assess
    await expect(fourth).rejects.toBeInstanceOf(RateLimitedError);
    expect(world.counters.rateLimitHits).toBe(1);
    expect(world.counters.github.get('GET /orgs/{org}/actions/runners')).toEqual({ calls: 4, points: 4 });
  });

  test('a job asking only for the default labels still matches a JIT runner whose custom labels were replaced', async () => {
    // Prepare
    const { world, pool, instanceIds } = await bootedWorld({
      pool: testPool('linux', { ephemeral: true, maxRunners: 1 }),
      registration: 'jit',
    });
    const github = new InProcessGitHub(world);
    const [runner] = await github.listRunners(org);
    await github.setCustomLabels(org, runner!.id, ['ghr-quarantine']);
    await advance(world, 10_000);
    // Act
    const job = submit(world, pool, 60_000, { labels: ['self-hosted'] });
    // Assess
    expect(job.instanceId).toBe(instanceIds[0]);
  });

  test('installation tokens are valid for an hour', async () => {
    const world = testWorld();
    const { token } = world.tokens.issue(42);
    expect(world.tokens.verify(token)).toBe(42);
    expect(world.tokens.verify('ghs_forged')).toBeUndefined();
    await advance(world, 3_600_000);
    expect(world.tokens.verify(token)).toBeUndefined();
  });

  test('with a call latency, a REST call takes effect after the virtual delay, so world events interleave', async () => {
    // Prepare
    const { world, pool } = await bootedWorld({
      params: { github: { callLatencySeconds: fixed(1), busyLag: { fastShare: 1, fastSeconds: fixed(0) } } },
      pool: testPool('linux', { ephemeral: false, maxRunners: 1 }),
      registration: 'token',
    });
    const github = new InProcessGitHub(world);
    const [runner] = world.rest.listRunners(org);
    const startedAt = world.now;
    let answer: boolean | undefined;
    let answeredAt = 0;
    world.engine.at(world.now, 'control plane', () => {
      void world.engine.invoke(async () => {
        answer = (await github.getRunner(org, runner!.id)).busy;
        answeredAt = world.now;
      }).promise;
    });
    world.engine.at(world.now + 500, 'job arrives', () => submit(world, pool, 60_000));
    // Act
    await advance(world, 5000);
    // Assess
    expect(answeredAt - startedAt).toBe(1000);
    expect(answer).toBe(true);
  });
});
