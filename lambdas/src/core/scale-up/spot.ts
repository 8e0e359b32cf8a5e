import { describeError, isRetryable, NotFoundError } from '../../errors.js';
import type { PoolConfig } from '../../config/schema.js';
import type { FleetInstance } from '../../ports/index.js';
// The same soft deregistration scale-down applies: no registration is touched, a running job runs on.
import { QuarantineGroups, quarantineRunner } from '../scale-down/quarantine.js';
import { decodeJobEvidence, TAG } from '../tags.js';
import { encodeMessage, type RerunMessage } from './messages.js';
import { runnerOwner } from './runner-config.js';
import type { Outcome, ScaleUpContext, ScaleUpDeps } from './types.js';

/**
 * Spot interruptions. EC2 warns two minutes before it reclaims a spot instance ("Spot Instance
 * interruption notices", EC2 user guide); an EventBridge rule (modules/scale-up, spot.tf) delivers
 * the warning to scale-up, which tags the instance `ghr:spot-interruption` and quarantines its runner
 * at once (out of job matching, its registration untouched: a job already running runs on). From
 * then on the warm top-up no longer counts it ready (warm-pool.ts), so its pool is refilled before
 * it goes, and scale-down never gives it back for demand (core/scale-down/plan.ts). A job
 * running on it may still finish in time; one that does not is failed by GitHub when its runner
 * disappears, and the webhook's `completed` delivery for it (failure or cancelled, on a runner
 * whose instance carries the tag) becomes a `rerun` message: scale-up asks GitHub to re-run the job
 * (pools with `rerunOnSpotInterruption`, which needs the App's `actions: write`), and the re-run's
 * `queued` delivery launches a runner like any job. Webhooks get lost (world-model.md), so the
 * warning itself also queues a delayed `rerun` for the job the webhook's evidence shows running
 * (`RERUN_CHECK_DELAY_SECONDS`, after the reclaim): it re-runs the job only if GitHub reports it
 * failed, and only if it is still in its run's latest attempt: the second request of the two finds
 * it re-run already and is dropped.
 */

/** After the reclaim (2 min) and GitHub failing the job of a runner that went away. */
export const RERUN_CHECK_DELAY_SECONDS = 300;
/**
 * How often a job still running is asked about again, `RERUN_CHECK_DELAY_SECONDS` apart: GitHub fails
 * the job of a runner that stopped answering within about ten minutes; past this it is left alone.
 */
export const MAX_RERUN_CHECKS = 6;

const REPO = /^([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9._-]{1,100})$/;

/** The delayed re-run request for the job the evidence shows running on a warned instance, if any. */
async function queueRerunCheck(
  instance: FleetInstance,
  poolName: string,
  pool: PoolConfig,
  deps: ScaleUpDeps,
): Promise<boolean> {
  const evidence = decodeJobEvidence(instance.tags[TAG.jobEvidence]);
  const repo = REPO.exec(instance.tags[TAG.jobRepo] ?? '');
  if (!pool.rerunOnSpotInterruption || evidence?.status !== 'in_progress' || repo === null) return false;
  if (!/^[1-9]\d{0,15}$/.test(evidence.jobId)) return false;
  const message: RerunMessage = {
    kind: 'rerun',
    deliveryId: `spot-warning:${instance.instanceId}`,
    jobId: Number(evidence.jobId),
    repo: { owner: repo[1]!, repo: repo[2]! },
    instanceId: instance.instanceId,
    pool: poolName,
  };
  await deps.sqs.sendMessage(pool.queueUrl, encodeMessage(message), { delaySeconds: RERUN_CHECK_DELAY_SECONDS });
  return true;
}

const WARNING = 'EC2 Spot Instance Interruption Warning';
/**
 * EC2's signal of an elevated interruption risk, often well before any warning ("EC2 instance
 * rebalance recommendations", EC2 user guide). Pools with `drainOnRebalanceRecommendation` take it
 * like a warning, minus the re-run: the runner is quarantined, a running job runs on, the warm top-up
 * replaces the instance and scale-down retires it once idle (`ghr:spot-rebalance`).
 */
const REBALANCE = 'EC2 Instance Rebalance Recommendation';

/** The EventBridge event of the warning or the recommendation (source `aws.ec2`), the fields read. */
export interface SpotWarningEvent {
  readonly source: 'aws.ec2';
  readonly 'detail-type': typeof WARNING | typeof REBALANCE;
  readonly time?: string;
  readonly detail: { readonly 'instance-id': string; readonly 'instance-action'?: string };
}

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

export function isSpotWarningEvent(event: unknown): event is SpotWarningEvent {
  if (typeof event !== 'object' || event === null) return false;
  const e = event as Record<string, unknown>;
  const detail = e['detail'] as Record<string, unknown> | undefined;
  return (
    e['source'] === 'aws.ec2' &&
    (e['detail-type'] === WARNING || e['detail-type'] === REBALANCE) &&
    typeof detail === 'object' &&
    detail !== null &&
    typeof detail['instance-id'] === 'string'
  );
}

export interface SpotWarningReport {
  readonly instanceId: string;
  readonly outcome: 'tagged' | 'not_ours' | 'not_draining';
  readonly pool?: string;
  /** Whether its runner was taken out of job matching (none is listed between registrations). */
  readonly quarantined?: boolean;
}

/**
 * Quarantines the instance's registration, if it has one: the runner id is scale-up's own tag
 * (`ghr:github_runner_id`, which the instance cannot write). Best effort: a failure is logged and
 * counted, and a job GitHub still assigns is lost with the instance and re-run.
 */
async function quarantineWarned(
  instance: FleetInstance,
  pool: PoolConfig,
  deps: ScaleUpDeps,
  ctx: ScaleUpContext,
): Promise<boolean> {
  const value = instance.tags[TAG.runnerId];
  if (value === undefined || !/^\d{1,16}$/.test(value)) return false;
  const groups = new QuarantineGroups(deps.github, ctx.config.quarantineGroupName);
  try {
    await quarantineRunner(deps.github, groups, runnerOwner(pool), Number(value), instance.instanceId);
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false; // consumed by its job, or gone: nothing to match
    ctx.metrics.count('SpotQuarantineFailed');
    ctx.log.warn('spot-warned runner not quarantined', {
      instanceId: instance.instanceId,
      error: describeError(error),
    });
    return false;
  }
}

/** Tags a warned instance of this fleet; an instance of anyone else's is left alone. */
export async function handleSpotWarning(
  event: SpotWarningEvent,
  deps: ScaleUpDeps,
  ctx: ScaleUpContext,
): Promise<SpotWarningReport> {
  const instanceId = event.detail['instance-id'];
  if (!INSTANCE_ID.test(instanceId)) return { instanceId: 'malformed', outcome: 'not_ours' };
  const [instance] = await deps.ec2.listInstances({
    instanceIds: [instanceId],
    tags: { [TAG.environment]: ctx.config.environment },
    states: ['pending', 'running'],
  });
  const pool = instance?.tags[TAG.pool];
  const poolConfig = pool === undefined ? undefined : ctx.config.pools[pool];
  if (instance === undefined || pool === undefined || poolConfig === undefined) {
    return { instanceId, outcome: 'not_ours' };
  }
  const rebalance = event['detail-type'] === REBALANCE;
  if (rebalance && !poolConfig.drainOnRebalanceRecommendation) return { instanceId, pool, outcome: 'not_draining' };
  const warnedMs = Date.parse(event.time ?? '');
  const atMs = Number.isFinite(warnedMs) ? warnedMs : deps.clock.now();
  try {
    await deps.ec2.createTags([instanceId], { [rebalance ? TAG.spotRebalance : TAG.spotInterruption]: String(atMs) });
  } catch (error) {
    if (error instanceof NotFoundError) return { instanceId, outcome: 'not_ours' };
    throw error;
  }
  const quarantined = await quarantineWarned(instance, poolConfig, deps, ctx);
  if (rebalance) {
    ctx.metrics.count('SpotRebalanceDrains');
    ctx.log.info('spot rebalance recommendation: draining', { instanceId, pool, quarantined });
    return { instanceId, pool, outcome: 'tagged', quarantined };
  }
  if (await queueRerunCheck(instance, pool, poolConfig, deps)) ctx.metrics.count('SpotRerunChecksQueued');
  ctx.metrics.count('SpotInterruptionWarnings');
  ctx.log.warn('spot interruption warning', { instanceId, pool, warnedAtMs: atMs, quarantined });
  return { instanceId, pool, outcome: 'tagged', quarantined };
}

/** GitHub has not failed the job yet: the same request again, later (never a receive spent on it). */
async function askAgainLater(message: RerunMessage, pool: PoolConfig, deps: ScaleUpDeps): Promise<Outcome> {
  const checks = (message.checks ?? 0) + 1;
  if (checks > MAX_RERUN_CHECKS) return { kind: 'drop', reason: 'job_still_running' };
  const copy: RerunMessage = { ...message, checks };
  await deps.sqs.sendMessage(pool.queueUrl, encodeMessage(copy), { delaySeconds: RERUN_CHECK_DELAY_SECONDS });
  return { kind: 'deferred', reason: 'job_not_completed', delaySeconds: RERUN_CHECK_DELAY_SECONDS };
}

/**
 * A `rerun` message: re-run the job if its pool asks for it and the instance is one of this fleet's
 * that EC2 warned (checked again here: terminated instances stay listed for about an hour). GitHub
 * refusing (the job is running again, or someone re-ran it) drops the message.
 */
export async function processRerun(message: RerunMessage, deps: ScaleUpDeps, ctx: ScaleUpContext): Promise<Outcome> {
  const pool = ctx.config.pools[message.pool];
  if (pool === undefined || !pool.rerunOnSpotInterruption) return { kind: 'drop', reason: 'rerun_disabled' };
  const [instance] = await deps.ec2.listInstances({
    instanceIds: [message.instanceId],
    tags: { [TAG.environment]: ctx.config.environment, [TAG.pool]: message.pool },
  });
  if (instance?.tags[TAG.spotInterruption] === undefined) return { kind: 'drop', reason: 'not_spot_interrupted' };
  const attributes = { jobId: message.jobId, repo: `${message.repo.owner}/${message.repo.repo}`, pool: message.pool };
  let pending = false;
  try {
    // A job that finished in time is not re-run; one GitHub has not failed yet is asked about again.
    const job = await deps.github.getJob(message.repo, message.jobId);
    if (job.status !== 'completed') pending = true;
    else if (job.conclusion === 'success' || job.conclusion === 'skipped') {
      return { kind: 'drop', reason: 'job_succeeded', quiet: true };
    } else if (!(await deps.github.latestJobIds(message.repo, job.runId)).includes(job.id)) {
      // Re-run already (the webhook's request and the warning's both come here, in either order,
      // and a completed run may be re-run again): one re-run per lost job.
      return { kind: 'drop', reason: 'already_rerun', quiet: true };
    } else await deps.github.rerunJob(message.repo, message.jobId);
  } catch (error) {
    if (isRetryable(error)) return { kind: 'retry', reason: describeError(error).name };
    ctx.log.warn('job re-run refused', { ...attributes, error: describeError(error) });
    return { kind: 'drop', reason: 'rerun_refused' };
  }
  if (pending) return askAgainLater(message, pool, deps);
  ctx.metrics.count('SpotJobsRerun');
  ctx.log.info('job lost to a spot reclaim re-run', { ...attributes, instanceId: message.instanceId });
  return { kind: 'done' };
}
