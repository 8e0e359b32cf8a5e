import { describe, expect, it } from '@jest/globals';
import type { RerunMessage } from '../../src/core/scale-up/messages.js';
import { handleScaleUpInvocation } from '../../src/core/scale-up/scale-up.js';
import {
  RERUN_CHECK_DELAY_SECONDS,
  type SpotWarningEvent,
  type SpotWarningReport,
} from '../../src/core/scale-up/spot.js';
import { encodeJobEvidence, TAG } from '../../src/core/tags.js';
import {
  existingInstance,
  jobAtGitHub,
  jobMessage,
  records,
  recordsFrom,
  recorder,
  scaleUpConfig,
  world,
  type World,
} from './fixtures.js';

const WARNED_AT = '2026-11-28T05:58:00Z';
const warning = (instanceId: string): SpotWarningEvent => ({
  source: 'aws.ec2',
  'detail-type': 'EC2 Spot Instance Interruption Warning',
  time: WARNED_AT,
  detail: { 'instance-id': instanceId, 'instance-action': 'terminate' },
});
const rerun = (instanceId: string, pool = 'linux'): RerunMessage => ({
  kind: 'rerun',
  deliveryId: 'completed-1',
  jobId: 7,
  repo: { owner: 'acme', repo: 'widgets' },
  instanceId,
  pool,
});
const rerunPools = scaleUpConfig({}, { rerunOnSpotInterruption: true });

/** A job at GitHub that completed (failed) on the reclaimed instance. */
function lostJob(w: World): void {
  w.github.addJob(
    { owner: 'acme', repo: 'widgets' },
    { id: 7, runId: 10, status: 'completed', conclusion: 'failure', labels: ['gpu'], runnerId: null, runnerName: null },
  );
}

async function run(w: World, event: Parameters<typeof handleScaleUpInvocation>[0], config = rerunPools) {
  const r = recorder();
  const answer = await handleScaleUpInvocation(event, w.deps, { config, log: r.log, metrics: r.metrics });
  return { answer, r };
}

describe('spot interruption warnings (EventBridge → scale-up)', () => {
  it('tag a warned instance of this fleet with the warning time', async () => {
    const w = world();
    const id = await existingInstance(w, 'linux');
    const { answer, r } = await run(w, warning(id));
    expect(answer).toEqual({
      instanceId: id,
      pool: 'linux',
      outcome: 'tagged',
      quarantined: false,
    } satisfies SpotWarningReport);
    const [instance] = await w.memoryEc2.listInstances({ instanceIds: [id] });
    expect(instance?.tags[TAG.spotInterruption]).toBe(String(Date.parse(WARNED_AT)));
    expect(r.counts.get('SpotInterruptionWarnings')).toBe(1);
  });

  it('quarantine its runner at once: an org runner moves to the quarantine group, its registration kept', async () => {
    // Prepare: a registered, idle runner on the warned instance
    const w = world();
    const id = await existingInstance(w, 'linux');
    const owner = { kind: 'org' as const, org: 'acme' };
    const { runnerId } = await w.github.generateJitConfig(owner, { name: id, labels: ['gpu'], runnerGroupId: 1 });
    await w.memoryEc2.createTags([id], { [TAG.runnerId]: String(runnerId) });
    // Act
    const { answer } = await run(w, warning(id));
    // Assess
    expect(answer).toMatchObject({ outcome: 'tagged', quarantined: true });
    const groups = await w.github.listRunnerGroups('acme');
    const quarantine = groups.find((g) => g.name === 'ghr-quarantine');
    expect(quarantine?.selectedRepositoryIds).toEqual([]);
    expect((await w.github.getRunner(owner, runnerId)).runnerGroupId).toBe(quarantine?.id);
  });

  it('quarantine a repository runner by its labels', async () => {
    const w = world();
    const config = scaleUpConfig({}, { owner: 'acme/widgets', ownerType: 'repo' });
    const id = await existingInstance(w, 'linux');
    const owner = { kind: 'repo' as const, owner: 'acme', repo: 'widgets' };
    const { runnerId } = await w.github.generateJitConfig(owner, { name: id, labels: ['gpu'], runnerGroupId: 1 });
    await w.memoryEc2.createTags([id], { [TAG.runnerId]: String(runnerId) });
    const { answer } = await run(w, warning(id), config);
    expect(answer).toMatchObject({ quarantined: true });
    const custom = (await w.github.getRunner(owner, runnerId)).labels.filter((l) => l.type === 'custom');
    expect(custom.map((l) => l.name)).not.toContain('gpu');
  });

  it('queue a delayed re-run request for the job the webhook saw start there, since its completed may be lost', async () => {
    // Prepare: the webhook's evidence of a running job, with its repository
    const w = world();
    const id = await existingInstance(w, 'linux', {
      [TAG.jobEvidence]: encodeJobEvidence({ status: 'in_progress', jobId: '7', atMs: Date.parse(WARNED_AT) - 60_000 }),
      [TAG.jobRepo]: 'acme/widgets',
    });
    // Act
    const { r } = await run(w, warning(id));
    // Assess: on the pool's job queue, after the reclaim
    expect(w.seams.sends).toEqual([
      {
        queueUrl: rerunPools.pools['linux']!.queueUrl,
        body: expect.stringContaining('"kind":"rerun"'),
        delaySeconds: RERUN_CHECK_DELAY_SECONDS,
      },
    ]);
    expect(JSON.parse(w.seams.sends[0]!.body)).toMatchObject({ jobId: 7, repo: { owner: 'acme', repo: 'widgets' } });
    expect(r.counts.get('SpotRerunChecksQueued')).toBe(1);
    // Not for a pool that does not re-run
    const other = world();
    const idle = await existingInstance(other, 'linux', { [TAG.jobRepo]: 'acme/widgets' });
    await run(other, warning(idle), scaleUpConfig());
    expect(other.seams.sends).toEqual([]);
  });

  it('a rebalance recommendation drains the runner only in a pool that asks for it, and queues no re-run', async () => {
    const rebalance = (id: string): SpotWarningEvent => ({
      ...warning(id),
      'detail-type': 'EC2 Instance Rebalance Recommendation',
    });
    const draining = scaleUpConfig({}, { drainOnRebalanceRecommendation: true, rerunOnSpotInterruption: true });
    const evidence = {
      [TAG.jobEvidence]: encodeJobEvidence({ status: 'in_progress', jobId: '7', atMs: Date.parse(WARNED_AT) }),
      [TAG.jobRepo]: 'acme/widgets',
    };
    // Prepare / Act: the same recommendation to a pool that drains and to one that does not
    const w = world();
    const id = await existingInstance(w, 'linux', evidence);
    const drained = await run(w, rebalance(id), draining);
    const other = world();
    const kept = await existingInstance(other, 'linux', evidence);
    const ignored = await run(other, rebalance(kept), rerunPools);
    // Assess
    expect(drained.answer).toMatchObject({ outcome: 'tagged' });
    const [instance] = await w.memoryEc2.listInstances({ instanceIds: [id] });
    expect(instance?.tags[TAG.spotRebalance]).toBe(String(Date.parse(WARNED_AT)));
    expect(instance?.tags[TAG.spotInterruption]).toBeUndefined();
    expect(w.seams.sends).toEqual([]);
    expect(drained.r.counts.get('SpotRebalanceDrains')).toBe(1);
    expect(ignored.answer).toMatchObject({ outcome: 'not_draining' });
    const [untouched] = await other.memoryEc2.listInstances({ instanceIds: [kept] });
    expect(untouched?.tags[TAG.spotRebalance]).toBeUndefined();
  });

  it("leave anyone else's instance alone", async () => {
    const w = world();
    const { instanceIds } = await w.memoryEc2.createFleet({
      launchTemplateName: 'other',
      overrides: [{ instanceType: 'm7i.large', subnetId: 'subnet-0a' }],
      targetCapacity: 1,
      capacityType: 'spot',
      tags: { Name: 'not-a-runner' },
    });
    const id = instanceIds[0]!;
    const { answer } = await run(w, warning(id));
    expect(answer).toMatchObject({ outcome: 'not_ours' });
    const [instance] = await w.memoryEc2.listInstances({ instanceIds: [id] });
    expect(instance?.tags[TAG.spotInterruption]).toBeUndefined();
  });
});

describe('re-run requests (webhook → job queue → scale-up)', () => {
  it('re-run the lost job at GitHub once the instance was warned', async () => {
    const w = world();
    const id = await existingInstance(w, 'linux', { [TAG.spotInterruption]: '1' });
    lostJob(w);
    const { answer, r } = await run(w, { Records: records(rerun(id)) });
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(r.counts.get('SpotJobsRerun')).toBe(1);
  });

  it('re-run a lost job once, though the webhook and the warning both ask, and after its re-run finished', async () => {
    // Prepare: the webhook's request re-ran job 7; its next attempt (job 8, same run) then completed,
    // so GitHub itself would accept another re-run of the run (it allows up to 50)
    const w = world();
    const id = await existingInstance(w, 'linux', { [TAG.spotInterruption]: '1' });
    lostJob(w);
    const first = await run(w, { Records: records(rerun(id)) });
    expect(first.r.counts.get('SpotJobsRerun')).toBe(1);
    const next = { id: 8, runId: 10, labels: ['gpu'], runnerId: null, runnerName: null };
    w.github.addJob({ owner: 'acme', repo: 'widgets' }, { ...next, status: 'completed', conclusion: 'success' });
    // Act: the warning's delayed request for the same job arrives
    const late = { ...rerun(id), deliveryId: 'spot-warning:late' };
    const { answer, r } = await run(w, { Records: records(late) });
    // Assess: dropped, not retried, and GitHub was not asked again
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(r.counts.get('dropped_already_rerun')).toBe(1);
    expect(r.counts.get('SpotJobsRerun')).toBeUndefined();
    expect(await w.github.latestJobIds({ owner: 'acme', repo: 'widgets' }, 10)).toEqual([8]);
  });

  it('a job GitHub has not failed yet is asked about again later; one that finished in time is not re-run', async () => {
    const w = world();
    const id = await existingInstance(w, 'linux', { [TAG.spotInterruption]: '1' });
    const job = { runId: 10, labels: ['gpu'], runnerId: null, runnerName: null };
    w.github.addJob({ owner: 'acme', repo: 'widgets' }, { ...job, id: 7, status: 'in_progress', conclusion: null });
    w.github.addJob({ owner: 'acme', repo: 'widgets' }, { ...job, id: 8, status: 'completed', conclusion: 'success' });
    // Act
    const { answer, r } = await run(w, { Records: records(rerun(id), { ...rerun(id), jobId: 8, deliveryId: 'c-8' }) });
    // Assess
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(w.seams.sends).toHaveLength(1);
    expect(JSON.parse(w.seams.sends[0]!.body)).toMatchObject({ kind: 'rerun', jobId: 7, checks: 1 });
    expect(w.seams.sends[0]!.delaySeconds).toBe(RERUN_CHECK_DELAY_SECONDS);
    expect(r.counts.get('dropped_job_succeeded')).toBe(1);
    expect(r.counts.get('SpotJobsRerun')).toBeUndefined();
  });

  it.each([
    ['the pool does not re-run', scaleUpConfig(), { [TAG.spotInterruption]: '1' }, 'dropped_rerun_disabled'],
    ['the instance was never warned', rerunPools, {}, 'dropped_not_spot_interrupted'],
  ])('drop the request when %s', async (_name, config, tags, counted) => {
    const w = world();
    const id = await existingInstance(w, 'linux', tags);
    lostJob(w);
    const { r } = await run(w, { Records: records(rerun(id)) }, config);
    expect(r.counts.get(counted)).toBe(1);
    expect(r.counts.get('SpotJobsRerun')).toBeUndefined();
  });

  it('refuse a re-run request from a recycle queue, where runners write', async () => {
    const w = world();
    const id = await existingInstance(w, 'warm', { [TAG.spotInterruption]: '1' });
    lostJob(w);
    const records = recordsFrom('warm', rerun(id, 'warm')).map((rec) => ({
      ...rec,
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:ghr-test-warm-recycle',
    }));
    const { r } = await run(w, { Records: records });
    expect(r.counts.get('dropped_wrong_queue')).toBe(1);
    expect(r.counts.get('SpotJobsRerun')).toBeUndefined();
  });
});

describe('re-run attempts launch on-demand when the pool allows', () => {
  it.each([
    ['a re-run attempt in a spot pool that re-runs lost jobs', rerunPools, 2, 'on-demand'],
    ['a first attempt', rerunPools, undefined, 'spot'],
    ['a re-run in a pool that does not re-run lost jobs', scaleUpConfig(), 2, 'spot'],
    [
      'a re-run in a pool without on-demand fallback',
      scaleUpConfig({}, { rerunOnSpotInterruption: true, onDemandFallback: false }),
      2,
      'spot',
    ],
  ])('%s → %s', async (_name, config, runAttempt, capacityType) => {
    const w = world();
    jobAtGitHub(w, 1);
    const message = jobMessage(runAttempt === undefined ? {} : { runAttempt });
    const { answer } = await run(w, { Records: records(message) }, config);
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(w.seams.fleetRequests.map((r) => r.capacityType)).toEqual([capacityType]);
  });
});
