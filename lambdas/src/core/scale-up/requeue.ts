import type { PoolConfig, ScaleUpConfig } from '../../config/schema.js';
import { describeError } from '../../errors.js';
import type { JobMessage } from './messages.js';
import { encodeMessage } from './messages.js';
import type { Outcome, ScaleUpContext, ScaleUpDeps } from './types.js';

/**
 * Job messages scale-up sends back to the pool's own queue, with a delay.
 *
 * Held at the maximum: a job that finds its pool at `maxRunners` is acknowledged and a copy with
 * `attempt + 1` is sent. A batch item failure would wait for the visibility timeout and spend
 * one of the queue's `maxReceiveCount` receives each time, so a job that waits longer than
 * visibility × receives (the module's 180 s × 3) went to the dead-letter queue and was never
 * served. The copy is processed like the original: with `checkJobQueued` it is dropped once
 * GitHub no longer holds the job queued, room or not; without, after `heldJobs.maxAttempts`.
 *
 * Re-check after a launch: GitHub gives a new runner any queued job its labels match, not the
 * one scale-up launched it for (world-model.md, "job assignment"). If runner IA, launched for
 * job A, takes an older job B, B's own message is later dropped as not queued and A has no
 * runner coming. A copy with `recheck + 1`, delayed past the pool's boot-to-online, asks GitHub
 * again (one GET) and launches again while A is still queued; upstream's "job retry" does the same,
 * and like it (its docs/index.md, "Job Retry": "designed to be used with ephemeral runners") only for
 * ephemeral pools. A reusable pool's warm instances ask for more work themselves (recycle.ts), and
 * there a pending re-check would read as a waiting job in the queue depth the recycle decision
 * uses, keeping surplus instances warm.
 */

/** SQS `DelaySeconds` is at most 900 (SendMessage API reference). */
export const MAX_DELAY_SECONDS = 900;

/** Delay of the n-th hold (n ≥ 1): initial, doubled per hold, capped. */
export function holdDelaySeconds(attempt: number, held: ScaleUpConfig['heldJobs']): number {
  const delay = held.initialDelaySeconds * 2 ** Math.max(0, attempt - 1);
  return Math.min(held.maxDelaySeconds, MAX_DELAY_SECONDS, delay);
}

export function heldCopy(message: JobMessage): JobMessage {
  return { ...message, attempt: (message.attempt ?? 0) + 1 };
}

/** A re-check starts its own hold count: its backoff answers a new wait for room. */
export function recheckCopy(message: JobMessage): JobMessage {
  const { attempt: _attempt, ...rest } = message;
  return { ...rest, recheck: (message.recheck ?? 0) + 1 };
}

/** Holds one job at the pool maximum: its outcome (a send failure falls back to redelivery: nothing lost). */
export async function holdAtMaximum(
  pool: Pick<PoolConfig, 'queueUrl'>,
  message: JobMessage,
  deps: Pick<ScaleUpDeps, 'sqs'>,
  ctx: ScaleUpContext,
): Promise<Outcome> {
  const copy = heldCopy(message);
  const attempt = copy.attempt ?? 1;
  const attributes = { jobId: message.jobId, pool: message.pool, attempt, recheck: message.recheck ?? 0 };
  if (attempt > ctx.config.heldJobs.maxAttempts) {
    ctx.log.warn('job held at the pool maximum too often; dropped', attributes);
    return { kind: 'drop', reason: 'held_too_often' };
  }
  const delaySeconds = holdDelaySeconds(attempt, ctx.config.heldJobs);
  try {
    await deps.sqs.sendMessage(pool.queueUrl, encodeMessage(copy), { delaySeconds });
  } catch (error) {
    ctx.log.warn('holding the job failed; left to redelivery', { ...attributes, error: describeError(error) });
    return { kind: 'retry', reason: 'pool_at_maximum' };
  }
  ctx.metrics.count('heldAtMaximum');
  return { kind: 'deferred', reason: 'pool_at_maximum', delaySeconds };
}

/**
 * Held for a runner scale-down may give back: the pool has quarantined or retiring runners, and
 * scale-down returns one to service for each job waiting when its re-check comes (guarantee 3 of
 * docs/safety.md) — sooner than an instance boots, and with no instance launched for nothing. The
 * job waits on its queue (a delayed copy, which the re-check reads as demand) at most
 * `MAX_RETURN_WAITS` times; then it is launched for like any other.
 */
export const MAX_RETURN_WAITS = 3;

export async function holdForReturn(
  pool: Pick<PoolConfig, 'queueUrl'>,
  message: JobMessage,
  deps: Pick<ScaleUpDeps, 'sqs'>,
  ctx: ScaleUpContext,
): Promise<Outcome> {
  const copy: JobMessage = { ...message, returnWaits: (message.returnWaits ?? 0) + 1 };
  const delaySeconds = Math.min(MAX_DELAY_SECONDS, ctx.config.heldJobs.initialDelaySeconds);
  try {
    await deps.sqs.sendMessage(pool.queueUrl, encodeMessage(copy), { delaySeconds });
  } catch (error) {
    ctx.log.warn('holding the job for a returning runner failed; left to redelivery', {
      jobId: message.jobId,
      error: describeError(error),
    });
    return { kind: 'retry', reason: 'waiting_for_return' };
  }
  ctx.metrics.count('heldForReturn');
  return { kind: 'deferred', reason: 'waiting_for_return', delaySeconds };
}

/** After a launch for `message`'s job: schedules its re-check, if re-checks are on (ephemeral pool) and left. */
export async function scheduleRecheck(
  pool: Pick<PoolConfig, 'queueUrl' | 'ephemeral'>,
  message: JobMessage,
  deps: Pick<ScaleUpDeps, 'sqs'>,
  ctx: ScaleUpContext,
): Promise<void> {
  const { checkJobQueued, jobRecheck } = ctx.config;
  if (!checkJobQueued || !pool.ephemeral || (message.recheck ?? 0) >= jobRecheck.maxRechecks) return;
  const copy = recheckCopy(message);
  try {
    await deps.sqs.sendMessage(pool.queueUrl, encodeMessage(copy), { delaySeconds: jobRecheck.delaySeconds });
  } catch (error) {
    // The launch stands (failing the message would launch twice); only the swap safety net is missing.
    ctx.metrics.count('jobRecheckNotScheduled');
    ctx.log.warn('scheduling the job re-check failed', { jobId: message.jobId, error: describeError(error) });
  }
}
