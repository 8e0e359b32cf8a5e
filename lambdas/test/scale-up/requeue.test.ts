import { describe, expect, it } from '@jest/globals';
import { decodeMessage, type JobMessage } from '../../src/core/scale-up/messages.js';
import { holdDelaySeconds } from '../../src/core/scale-up/requeue.js';
import { handleScaleUpBatch } from '../../src/core/scale-up/scale-up.js';
import { TransientError } from '../../src/errors.js';
import {
  existingInstance,
  jobAtGitHub,
  jobMessage,
  LINUX_QUEUE,
  poolInstances,
  records,
  recorder,
  scaleUpConfig,
  world,
  type World,
} from './fixtures.js';

/** One container: the same deps (and so the same dedup memory) across invocations, like a warm Lambda. */
function container(w: World, config = scaleUpConfig()) {
  const r = recorder();
  const run = (...batch: Parameters<typeof records>) =>
    handleScaleUpBatch(records(...batch), w.deps, { config, log: r.log, metrics: r.metrics });
  return { r, run };
}

/** The job messages scale-up sent to its own queue, with their delays, oldest first. */
function sent(w: World): { message: JobMessage; delaySeconds: number | undefined }[] {
  return w.seams.sends.map((s) => {
    const decoded = decodeMessage(s.body);
    if (!decoded.ok || decoded.message.kind !== 'job') throw new Error(`not a job message: ${s.body}`);
    expect(s.queueUrl).toBe(LINUX_QUEUE);
    return { message: decoded.message, delaySeconds: s.delaySeconds };
  });
}

function lastSent(w: World): JobMessage {
  const last = sent(w).at(-1);
  if (last === undefined) throw new Error('nothing sent');
  return last.message;
}

/** Fills the pool (max 3) with instances that are not scale-up's current launches. */
async function fillPool(w: World): Promise<void> {
  for (let i = 0; i < 3; i++) await existingInstance(w, 'linux');
}

describe('scale-up: a job held at the pool maximum', () => {
  it('is acknowledged and sent again with attempt + 1 and a growing, capped delay', async () => {
    // Prepare: the pool is full; the delay cap is below the third doubling.
    const w = world();
    await fillPool(w);
    jobAtGitHub(w, 1);
    const config = scaleUpConfig({ heldJobs: { initialDelaySeconds: 30, maxDelaySeconds: 100, maxAttempts: 50 } });
    const { r, run } = container(w, config);
    // Act: the original, then each copy in turn.
    const results = [await run(jobMessage({ jobId: 1 }))];
    for (let i = 0; i < 3; i++) results.push(await run(lastSent(w)));
    // Assess
    expect(results.map((x) => x.batchItemFailures)).toEqual([[], [], [], []]);
    expect(sent(w).map((s) => [s.message.attempt, s.delaySeconds])).toEqual([
      [1, 30],
      [2, 60],
      [3, 100],
      [4, 100],
    ]);
    expect(sent(w).every((s) => s.message.jobId === 1 && s.message.deliveryId === 'delivery-1')).toBe(true);
    expect(r.counts.get('heldAtMaximum')).toBe(4);
    expect(await poolInstances(w)).toHaveLength(3);
  });

  it('holds the webhook message without asking GitHub, and drops a held copy of a taken job', async () => {
    // Prepare: GitHub says the job is no longer queued; a GET would drop the message.
    const w = world();
    await fillPool(w);
    jobAtGitHub(w, 1, 'in_progress');
    const { r, run } = container(w);
    // Act: the webhook's message, then its held copy, the pool still full.
    await run(jobMessage({ jobId: 1 }));
    const copy = await run(lastSent(w));
    // Assess
    expect(sent(w).map((s) => s.message.attempt)).toEqual([1]);
    expect(copy.batchItemFailures).toEqual([]);
    expect(r.counts.get('dropped_job_not_queued')).toBe(1);
    expect(r.counts.get('heldAtMaximum')).toBe(1);
  });

  it('falls back to a batch item failure when the copy cannot be sent', async () => {
    const w = world();
    await fillPool(w);
    jobAtGitHub(w, 1);
    jobAtGitHub(w, 2);
    w.seams.failSend = new TransientError('SQS 500');
    const { r, run } = container(w);
    const result = await run(jobMessage({ jobId: 1 }), jobMessage({ jobId: 2 }));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }]);
    expect(r.counts.get('heldAtMaximum')).toBeUndefined();
    expect(r.counts.get('ScaleUpRetried')).toBe(2);
  });

  it('launches from the copy once the pool has room; the dedup memory does not swallow it', async () => {
    // Prepare: held once in this container.
    const w = world();
    await fillPool(w);
    jobAtGitHub(w, 1);
    const { run } = container(w);
    await run(jobMessage({ jobId: 1 }));
    const copy = lastSent(w);
    const [first] = await poolInstances(w);
    await w.memoryEc2.terminateInstances([first?.instanceId ?? 'none']);
    // Act
    const result = await run(copy);
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const launched = (await poolInstances(w)).filter((i) => i.instanceId !== first?.instanceId);
    expect(launched).toHaveLength(3);
    expect(w.seams.fleetRequests).toHaveLength(1);
  });

  it('drops a second delivery of the same copy', async () => {
    const w = world();
    jobAtGitHub(w, 1);
    const { r, run } = container(w);
    const copy = jobMessage({ jobId: 1, attempt: 2 });
    await run(copy);
    await run(copy);
    expect(w.seams.fleetRequests).toHaveLength(1);
    expect(r.counts.get('dropped_duplicate_delivery')).toBe(1);
  });

  it('drops the copy when GitHub no longer has the job queued and there is room', async () => {
    const w = world();
    jobAtGitHub(w, 1, 'completed');
    const { r, run } = container(w);
    const result = await run(jobMessage({ jobId: 1, attempt: 3 }));
    expect(result.batchItemFailures).toEqual([]);
    expect(await poolInstances(w)).toEqual([]);
    expect(r.counts.get('dropped_job_not_queued')).toBe(1);
  });

  it('without checkJobQueued, drops the job with a warning after maxAttempts holds', async () => {
    // Prepare: at most 2 holds.
    const w = world();
    await fillPool(w);
    const config = scaleUpConfig({
      checkJobQueued: false,
      heldJobs: { initialDelaySeconds: 30, maxDelaySeconds: 300, maxAttempts: 2 },
    });
    const { r, run } = container(w, config);
    // Act
    await run(jobMessage({ jobId: 1 }));
    await run(lastSent(w));
    const last = await run(lastSent(w));
    // Assess
    expect(last.batchItemFailures).toEqual([]);
    expect(sent(w).map((s) => s.message.attempt)).toEqual([1, 2]);
    expect(r.counts.get('heldAtMaximum')).toBe(2);
    expect(r.counts.get('dropped_held_too_often')).toBe(1);
    expect(r.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'job held at the pool maximum too often; dropped' }),
    );
  });
});

describe('scale-up: the job re-check after a launch', () => {
  it('sends a delayed re-check copy after a launch', async () => {
    const w = world();
    jobAtGitHub(w, 1);
    const { run } = container(w, scaleUpConfig({ jobRecheck: { delaySeconds: 240, maxRechecks: 2 } }));
    await run(jobMessage({ jobId: 1 }));
    expect(sent(w)).toEqual([{ message: expect.objectContaining({ jobId: 1, recheck: 1 }), delaySeconds: 240 }]);
    expect(lastSent(w).attempt).toBeUndefined();
  });

  it('sends no re-check for a reusable pool (its warm instances ask for work themselves)', async () => {
    const w = world();
    jobAtGitHub(w, 1);
    const { run } = container(w);
    const result = await run(jobMessage({ jobId: 1, pool: 'warm' }));
    expect(result.batchItemFailures).toEqual([]);
    expect(await poolInstances(w, 'warm')).toHaveLength(1);
    expect(w.seams.sends).toEqual([]);
  });

  it('relaunches when the job is still queued (its runner took another job), up to maxRechecks', async () => {
    // Prepare: job 1 launched for; its runner took another job, so job 1 is still queued.
    const w = world();
    jobAtGitHub(w, 1);
    const { r, run } = container(w);
    await run(jobMessage({ jobId: 1 }));
    // Act: the first and second re-checks.
    const first = await run(lastSent(w));
    const second = await run(lastSent(w));
    // Assess: two relaunches, and no third re-check is scheduled (default maxRechecks 2).
    expect([first.batchItemFailures, second.batchItemFailures]).toEqual([[], []]);
    expect(await poolInstances(w)).toHaveLength(3);
    expect(sent(w).map((s) => s.message.recheck)).toEqual([1, 2]);
    expect(r.counts.get('jobRechecks')).toBe(2);
    expect(r.counts.get('relaunchedAfterSwap')).toBe(2);
  });

  it('drops a re-check quietly when the job was taken', async () => {
    // Prepare
    const w = world();
    jobAtGitHub(w, 1);
    const { r, run } = container(w);
    await run(jobMessage({ jobId: 1 }));
    jobAtGitHub(w, 1, 'in_progress');
    // Act
    const result = await run(lastSent(w));
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(await poolInstances(w)).toHaveLength(1);
    expect(r.counts.get('jobRechecks')).toBe(1);
    expect(r.counts.get('dropped_recheck_job_taken')).toBe(1);
    expect(r.counts.get('relaunchedAfterSwap')).toBeUndefined();
    const dropped = r.lines.filter((l) => l.message === 'scale-up message dropped');
    expect(dropped.map((l) => l.level)).toEqual(['debug']);
  });

  it('holds a re-check that finds the pool at the maximum, keeping its re-check count', async () => {
    const w = world();
    jobAtGitHub(w, 1);
    const { run } = container(w);
    await run(jobMessage({ jobId: 1 }));
    for (let i = 0; i < 2; i++) await existingInstance(w, 'linux');
    const result = await run(lastSent(w));
    expect(result.batchItemFailures).toEqual([]);
    expect(sent(w).map((s) => [s.message.recheck, s.message.attempt, s.delaySeconds])).toEqual([
      [1, undefined, 180],
      [1, 1, 30],
    ]);
  });

  it('schedules no re-check without checkJobQueued, and a re-check failure leaves the launch done', async () => {
    const w = world();
    const { run } = container(w, scaleUpConfig({ checkJobQueued: false }));
    await run(jobMessage({ jobId: 1 }));
    expect(sent(w)).toEqual([]);

    const v = world();
    jobAtGitHub(v, 2);
    v.seams.failSend = new TransientError('SQS 500');
    const c = container(v);
    const result = await c.run(jobMessage({ jobId: 2 }));
    expect(result.batchItemFailures).toEqual([]);
    expect(await poolInstances(v)).toHaveLength(1);
    expect(c.r.counts.get('jobRecheckNotScheduled')).toBe(1);
  });
});

describe('scale-up: requeue helpers', () => {
  it('doubles the hold delay from the initial one and caps it (and never beyond SQS 900 s)', () => {
    const held = { initialDelaySeconds: 30, maxDelaySeconds: 300, maxAttempts: 300 };
    expect([1, 2, 3, 4, 5, 6, 300].map((a) => holdDelaySeconds(a, held))).toEqual([30, 60, 120, 240, 300, 300, 300]);
    expect(holdDelaySeconds(100_000, { ...held, maxDelaySeconds: 900 })).toBe(900);
  });

  it('reads messages without the new fields (the webhook writes none)', () => {
    const old = JSON.stringify(jobMessage({ jobId: 1 }));
    const decoded = decodeMessage(old);
    expect(decoded.ok && decoded.message.kind === 'job' && decoded.message.attempt).toBeUndefined();
    expect(decodeMessage(JSON.stringify({ ...jobMessage(), attempt: -1 })).ok).toBe(false);
  });
});
