import type { PoolConfig } from '../../config/schema.js';
import { describeError, isRetryable, NotFoundError } from '../../errors.js';
import { decodeLifecycle, TAG } from '../tags.js';
import { fleetTags, launchInstances } from './launch.js';
import type { JobMessage } from './messages.js';
import { holdAtMaximum, holdForReturn, MAX_RETURN_WAITS, scheduleRecheck } from './requeue.js';
import { provisionRunnerConfig } from './runner-config.js';
import type { Outcome, ScaleUpContext, ScaleUpDeps } from './types.js';

/**
 * Queued jobs → new runners, one per job. The jobs of one pool in a batch share one CreateFleet
 * (EC2 mutating calls share an account-wide token bucket: architecture.md §6). Instances of the
 * pool that are pending or running count against `maxRunners`, retiring ones included:
 * scale-up never touches a retiring runner; scale-down alone returns it to service
 * (architecture.md §3, "One writer"). Two scale-up invocations running at once can each see
 * the same count; the event source mapping's maximum concurrency bounds that overshoot.
 *
 * A job that does not fit under the maximum is held (requeue.ts). The webhook's own message is
 * held without asking GitHub (it was queued moments ago); a held or re-check copy is screened
 * first, so a job another runner took is dropped even while the pool stays full, as a reusable
 * pool's usually does (its warm instances serve the jobs). That is one GET per hold, the cost the
 * batch item failure it replaces had per redelivery.
 */

export interface PendingJob {
  readonly messageId: string;
  readonly message: JobMessage;
}

/** GitHub still holds the job queued? A job GitHub no longer knows is not ours to serve. */
async function stillQueued(deps: ScaleUpDeps, message: JobMessage): Promise<boolean> {
  try {
    const job = await deps.github.getJob(message.repo, message.jobId);
    return job.status === 'queued';
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}

/**
 * The outcome an error gives a message: rate limits, 5xx and capacity retry; the rest would fail
 * again: a job goes to its pool's dead-letter queue with the reason, a recycle request is dropped
 * (its instance shuts down when no registration comes: agent/README.md).
 */
export function outcomeOfError(error: unknown, kind: 'job' | 'recycle' = 'job'): Outcome {
  const { name } = describeError(error);
  if (isRetryable(error)) return { kind: 'retry', reason: name };
  return kind === 'job' ? { kind: 'dead-letter', reason: name } : { kind: 'drop', reason: name };
}

/** Is there a job to launch for? A re-check copy always asks GitHub: its whole point is GitHub's view. */
async function screen(job: PendingJob, deps: ScaleUpDeps, ctx: ScaleUpContext): Promise<Outcome | undefined> {
  const recheck = (job.message.recheck ?? 0) > 0;
  if (!ctx.config.checkJobQueued && !recheck) return undefined;
  if (recheck) ctx.metrics.count('jobRechecks');
  try {
    if (await stillQueued(deps, job.message)) return undefined;
    // A re-check finding its job taken is the usual case (the runner launched for it took it): quiet.
    return recheck
      ? { kind: 'drop', reason: 'recheck_job_taken', quiet: true }
      : { kind: 'drop', reason: 'job_not_queued' };
  } catch (error) {
    ctx.log.warn('job status check failed', { jobId: job.message.jobId, error: describeError(error) });
    return outcomeOfError(error);
  }
}

/** Per pool: hold what does not fit under the maximum, screen and launch the rest, map instances to messages. */
async function launchForPool(
  poolName: string,
  pool: PoolConfig,
  jobs: readonly PendingJob[],
  deps: ScaleUpDeps,
  ctx: ScaleUpContext,
  outcomes: Map<string, Outcome>,
): Promise<void> {
  const live = await deps.ec2.listInstances({
    tags: { [TAG.environment]: ctx.config.environment, [TAG.pool]: poolName },
    states: ['pending', 'running'],
  });
  const room = Math.max(0, pool.maxRunners - live.length);
  // Runners scale-down is retiring can come back to the pool sooner than an instance boots.
  let returnable = live.filter((i) => decodeLifecycle(i.tags[TAG.lifecycle]) !== undefined).length;
  const served: PendingJob[] = [];
  let atMaximum = 0;
  for (const job of jobs) {
    const fits = served.length < room;
    const waits = job.message.returnWaits ?? 0;
    const copy = (job.message.attempt ?? 0) > 0 || (job.message.recheck ?? 0) > 0 || waits > 0;
    const screened = fits || copy ? await screen(job, deps, ctx) : undefined;
    if (screened !== undefined) {
      outcomes.set(job.messageId, screened);
    } else if (returnable > 0 && waits < MAX_RETURN_WAITS) {
      returnable--;
      outcomes.set(job.messageId, await holdForReturn(pool, job.message, deps, ctx));
    } else if (fits) {
      served.push(job);
    } else {
      atMaximum++;
      outcomes.set(job.messageId, await holdAtMaximum(pool, job.message, deps, ctx));
    }
  }
  if (atMaximum > 0) ctx.metrics.count('ScaleUpAtMaximum', atMaximum);
  // A re-run of a job a spot reclaim killed goes on-demand when the pool allows it (spot.ts).
  const onDemand = served.filter((job) => launchesOnDemand(pool, job.message));
  const usual = served.filter((job) => !launchesOnDemand(pool, job.message));
  if (usual.length > 0) await launchFor(poolName, pool, usual, deps, ctx, outcomes);
  if (onDemand.length > 0) {
    ctx.metrics.count('ScaleUpRerunOnDemand', onDemand.length);
    await launchFor(poolName, { ...pool, capacityType: 'on-demand' }, onDemand, deps, ctx, outcomes);
  }
}

/**
 * Whether a job's runner launches on-demand in a spot pool: a re-run attempt (GitHub's `run_attempt`
 * above 1) in a pool that re-runs jobs lost to spot and may fall back to on-demand. Any re-run
 * counts, a user's own included: a job that ran once already is not put at spot's risk again.
 */
export function launchesOnDemand(pool: PoolConfig, message: JobMessage): boolean {
  return (
    (message.runAttempt ?? 1) > 1 &&
    pool.capacityType === 'spot' &&
    pool.onDemandFallback &&
    pool.rerunOnSpotInterruption
  );
}

/** One launch for these jobs of the pool, then each job's outcome by its runner. */
async function launchFor(
  poolName: string,
  pool: PoolConfig,
  served: readonly PendingJob[],
  deps: ScaleUpDeps,
  ctx: ScaleUpContext,
  outcomes: Map<string, Outcome>,
): Promise<void> {
  const runners = await launchRunners(poolName, pool, served.length, deps, ctx);
  const configured: JobMessage[] = [];
  for (const [index, job] of served.entries()) {
    const runner = runners[index];
    if (runner === undefined) {
      outcomes.set(job.messageId, { kind: 'retry', reason: 'partial_launch' });
      continue;
    }
    if (runner.kind === 'failed') {
      // Nothing half-made: the instance is ended and the job retried, whatever the cause.
      outcomes.set(job.messageId, { kind: 'retry', reason: 'runner_config_failed' });
      continue;
    }
    outcomes.set(job.messageId, { kind: 'done', instanceIds: [runner.instanceId] });
    const recheck = job.message.recheck ?? 0;
    if (recheck > 0) ctx.metrics.count('relaunchedAfterSwap');
    ctx.log.info('runner launched', {
      jobId: job.message.jobId,
      pool: poolName,
      instanceId: runner.instanceId,
      recheck,
      capacityType: runner.capacityType,
    });
    configured.push(job.message);
  }
  for (const message of configured) await scheduleRecheck(pool, message, deps, ctx);
}

export type LaunchedRunner =
  | { readonly kind: 'ready'; readonly instanceId: string; readonly capacityType: 'spot' | 'on-demand' }
  | { readonly kind: 'failed'; readonly instanceId: string };

/**
 * Launches `count` runners of the pool: one CreateFleet, then a runner config per instance. An
 * instance whose config failed is terminated at once (nothing half-made); so is any extra. The
 * result lists the instances in launch order (fewer than `count` on a partial launch). Used for
 * jobs, and for runners wanted before any job asks (a pool prepared ahead).
 */
export async function launchRunners(
  poolName: string,
  pool: PoolConfig,
  count: number,
  deps: ScaleUpDeps,
  ctx: ScaleUpContext,
): Promise<LaunchedRunner[]> {
  const launched = await launchInstances(deps.ec2, pool, count, fleetTags(ctx.config, poolName, pool));
  ctx.metrics.count('ScaleUpLaunched', launched.instanceIds.length);
  if (launched.capacityType !== pool.capacityType) ctx.metrics.count('ScaleUpOnDemandFallback');
  const runners: LaunchedRunner[] = [];
  const unconfigured: string[] = [];
  for (const instanceId of launched.instanceIds.slice(0, count)) {
    try {
      await provisionRunnerConfig(deps, ctx, poolName, pool, instanceId);
      runners.push({ kind: 'ready', instanceId, capacityType: launched.capacityType });
    } catch (error) {
      unconfigured.push(instanceId);
      runners.push({ kind: 'failed', instanceId });
      ctx.log.error('runner config failed; terminating the instance', {
        pool: poolName,
        instanceId,
        error: describeError(error),
      });
    }
  }
  // CreateFleet may launch more than asked for only in theory; an extra would have no job and no config.
  unconfigured.push(...launched.instanceIds.slice(count));
  if (unconfigured.length === 0) return runners;
  ctx.metrics.count('ScaleUpConfigFailed', unconfigured.length);
  try {
    await deps.ec2.terminateInstances(unconfigured);
  } catch (error) {
    // Left with fleet tags and no registration: scale-down's boot-timeout backstop ends them.
    ctx.log.error('terminating unconfigured instances failed', {
      instanceIds: unconfigured,
      error: describeError(error),
    });
  }
  return runners;
}

/** Every job message of a batch → its outcome, by message id. */
export async function processJobs(
  jobs: readonly PendingJob[],
  deps: ScaleUpDeps,
  ctx: ScaleUpContext,
): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  const byPool = new Map<string, PendingJob[]>();
  for (const job of jobs) {
    if (ctx.config.pools[job.message.pool] === undefined) {
      outcomes.set(job.messageId, { kind: 'drop', reason: 'unknown_pool' });
      continue;
    }
    byPool.set(job.message.pool, [...(byPool.get(job.message.pool) ?? []), job]);
  }
  for (const [poolName, poolJobs] of byPool) {
    const pool = ctx.config.pools[poolName];
    if (pool === undefined) continue;
    try {
      await launchForPool(poolName, pool, poolJobs, deps, ctx, outcomes);
    } catch (error) {
      const outcome = outcomeOfError(error);
      const attributes = { pool: poolName, jobs: poolJobs.length, error: describeError(error), outcome: outcome.kind };
      if (outcome.kind === 'retry') ctx.log.warn('launch failed', attributes);
      else ctx.log.error('launch failed', attributes);
      for (const job of poolJobs) if (!outcomes.has(job.messageId)) outcomes.set(job.messageId, outcome);
    }
  }
  return outcomes;
}
