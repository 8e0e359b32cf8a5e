import { describeError, isRetryable, NotFoundError } from '../../errors.js';
import { TAG } from '../tags.js';
import type { RerunMessage } from './messages.js';
import type { Outcome, ScaleUpContext, ScaleUpDeps } from './types.js';

/**
 * Spot interruptions. EC2 warns two minutes before it reclaims a spot instance ("Spot Instance
 * interruption notices", EC2 user guide); an EventBridge rule (modules/scale-up, spot.tf) delivers
 * the warning to scale-up, which tags the instance `ghr:spot-interruption`. From then on the warm
 * top-up no longer counts it ready (warm-pool.ts), so its pool is refilled before it goes. A job
 * running on it may still finish in time; one that does not is failed by GitHub when its runner
 * disappears, and the webhook's `completed` delivery for it (failure or cancelled, on a runner
 * whose instance carries the tag) becomes a `rerun` message: scale-up asks GitHub to re-run the job
 * (pools with `rerunOnSpotInterruption`, which needs the App's `actions: write`), and the re-run's
 * `queued` delivery launches a runner like any job.
 */

/** The EventBridge event of the warning (source `aws.ec2`), the fields read. */
export interface SpotWarningEvent {
  readonly source: 'aws.ec2';
  readonly 'detail-type': 'EC2 Spot Instance Interruption Warning';
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
    e['detail-type'] === 'EC2 Spot Instance Interruption Warning' &&
    typeof detail === 'object' &&
    detail !== null &&
    typeof detail['instance-id'] === 'string'
  );
}

export interface SpotWarningReport {
  readonly instanceId: string;
  readonly outcome: 'tagged' | 'not_ours';
  readonly pool?: string;
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
  if (instance === undefined || pool === undefined || ctx.config.pools[pool] === undefined) {
    return { instanceId, outcome: 'not_ours' };
  }
  const warnedMs = Date.parse(event.time ?? '');
  const atMs = Number.isFinite(warnedMs) ? warnedMs : deps.clock.now();
  try {
    await deps.ec2.createTags([instanceId], { [TAG.spotInterruption]: String(atMs) });
  } catch (error) {
    if (error instanceof NotFoundError) return { instanceId, outcome: 'not_ours' };
    throw error;
  }
  ctx.metrics.count('SpotInterruptionWarnings');
  ctx.log.warn('spot interruption warning', { instanceId, pool, warnedAtMs: atMs });
  return { instanceId, pool, outcome: 'tagged' };
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
  try {
    await deps.github.rerunJob(message.repo, message.jobId);
  } catch (error) {
    if (isRetryable(error)) return { kind: 'retry', reason: describeError(error).name };
    ctx.log.warn('job re-run refused', { ...attributes, error: describeError(error) });
    return { kind: 'drop', reason: 'rerun_refused' };
  }
  ctx.metrics.count('SpotJobsRerun');
  ctx.log.info('job lost to a spot reclaim re-run', { ...attributes, instanceId: message.instanceId });
  return { kind: 'done' };
}
