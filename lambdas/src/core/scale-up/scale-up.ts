import { describeError, PermanentError } from '../../errors.js';
import { outcomeOfError, processJobs, type PendingJob } from './job.js';
import { decodeMessage, dedupKey, type PoolMessage, type RecycleMessage, type RerunMessage } from './messages.js';
import { processRecycle } from './recycle.js';
import {
  handleSpotWarning,
  isSpotWarningEvent,
  processRerun,
  type SpotWarningEvent,
  type SpotWarningReport,
} from './spot.js';
import type { Outcome, ScaleUpContext, ScaleUpDeps } from './types.js';
import { isWarmPoolEvent, topUpWarmPools, WARM_POOL_EVENT, type WarmPoolReport } from './warm-pool.js';

/** The part of an SQS event record scale-up reads (structurally `SQSRecord`). */
export interface ScaleUpRecord {
  readonly messageId: string;
  readonly body: string;
  /** The queue the event source mapping read it from: the only trusted source of its pool. */
  readonly eventSourceARN: string;
}

/**
 * A message's pool is the pool whose queue it came from (the record's `eventSourceARN`), never the
 * body (docs/threat-model.md). Jobs come from a pool's job queue (only the webhook and scale-up
 * itself send there); recycle requests from its recycle queue (its runners may send there, nowhere
 * else). A message of the wrong kind for its queue, or naming another pool, is forged.
 */
function queueOf(arn: string, ctx: ScaleUpContext): { pool: string; kind: 'job' | 'recycle' } | undefined {
  for (const [name, pool] of Object.entries(ctx.config.pools)) {
    if (pool.queueArn === arn) return { pool: name, kind: 'job' };
    if (pool.recycleQueueArn === arn) return { pool: name, kind: 'recycle' };
  }
  return undefined;
}

function forgeryOf(
  queue: { pool: string; kind: 'job' | 'recycle' } | undefined,
  message: PoolMessage,
): string | undefined {
  if (queue === undefined) return 'unknown_queue';
  // A job queue carries jobs and the webhook's re-run requests; a recycle queue recycle requests only.
  const kind = message.kind === 'rerun' ? 'job' : message.kind;
  if (queue.kind !== kind) return 'wrong_queue';
  return queue.pool === message.pool ? undefined : 'pool_mismatch';
}

/**
 * Sends a job scale-up cannot launch for to its pool's dead-letter queue, with the reason (the body
 * is the original message, unchanged, under `message`). When that send fails, the message is
 * retried instead: SQS redrives it there after `maxReceiveCount` receives. Nothing is lost silently.
 */
async function deadLetter(
  record: ScaleUpRecord,
  reason: string,
  deps: ScaleUpDeps,
  ctx: ScaleUpContext,
): Promise<Outcome> {
  const pool = queueOf(record.eventSourceARN, ctx)?.pool;
  const queueUrl = pool === undefined ? undefined : ctx.config.pools[pool]?.deadLetterQueueUrl;
  const attributes = { messageId: record.messageId, pool: pool ?? null, reason };
  if (queueUrl === undefined) return { kind: 'retry', reason };
  try {
    const body = JSON.stringify({ reason, failedAtMs: deps.clock.now(), message: record.body });
    await deps.sqs.sendMessage(queueUrl, body);
  } catch (error) {
    ctx.log.warn('dead-lettering failed; message retried', { ...attributes, error: describeError(error) });
    return { kind: 'retry', reason: 'dead_letter_failed' };
  }
  ctx.metrics.count('ScaleUpDeadLettered');
  ctx.log.error('job dead-lettered: scale-up cannot launch for it', attributes);
  return { kind: 'done' };
}

export interface ScaleUpResult {
  readonly batchItemFailures: { itemIdentifier: string }[];
}

async function recycleOutcome(message: RecycleMessage, deps: ScaleUpDeps, ctx: ScaleUpContext): Promise<Outcome> {
  try {
    return await processRecycle(message, deps, ctx);
  } catch (error) {
    const outcome = outcomeOfError(error, 'recycle');
    const attributes = { instanceId: message.instanceId, error: describeError(error), outcome: outcome.kind };
    if (outcome.kind === 'retry') ctx.log.warn('recycle failed', attributes);
    else ctx.log.error('recycle failed', attributes);
    return outcome;
  }
}

async function rerunOutcome(message: RerunMessage, deps: ScaleUpDeps, ctx: ScaleUpContext): Promise<Outcome> {
  try {
    return await processRerun(message, deps, ctx);
  } catch (error) {
    const outcome = outcomeOfError(error, 'recycle');
    ctx.log.warn('job re-run failed', { jobId: message.jobId, error: describeError(error), outcome: outcome.kind });
    return outcome;
  }
}

/**
 * The SQS batch handler. Each message gets its own outcome (see `Outcome`); only `retry` is
 * reported in `batchItemFailures`, so SQS redelivers just those (`ReportBatchItemFailures`).
 * A message whose delivery id this container already acted on (or that repeats one in this
 * batch) is dropped: SQS standard queues deliver at least once, and GitHub may redeliver. The
 * copies scale-up re-sends itself (requeue.ts) carry their counters in that identity (`dedupKey`).
 */
export async function handleScaleUpBatch(
  records: readonly ScaleUpRecord[],
  deps: ScaleUpDeps,
  ctx: ScaleUpContext,
): Promise<ScaleUpResult> {
  const outcomes = new Map<string, Outcome>();
  const messages = new Map<string, PoolMessage>();
  const inBatch = new Set<string>();
  const jobs: PendingJob[] = [];
  const recycles: { messageId: string; message: RecycleMessage }[] = [];
  const reruns: { messageId: string; message: RerunMessage }[] = [];

  for (const record of records) {
    const decoded = decodeMessage(record.body);
    if (!decoded.ok) {
      // Never the body: it is whatever reached the queue.
      ctx.log.error('scale-up message malformed', { messageId: record.messageId, reason: decoded.reason });
      outcomes.set(record.messageId, { kind: 'drop', reason: 'malformed' });
      continue;
    }
    const message = decoded.message;
    messages.set(record.messageId, message);
    const queue = queueOf(record.eventSourceARN, ctx);
    const forgery = forgeryOf(queue, message);
    if (forgery !== undefined) {
      ctx.log.warn('scale-up message does not belong on its queue', {
        messageId: record.messageId,
        reason: forgery,
        queuePool: queue?.pool ?? null,
        kind: message.kind,
      });
      outcomes.set(record.messageId, { kind: 'drop', reason: forgery });
      continue;
    }
    const key = dedupKey(message);
    if (key !== undefined && (deps.processed.has(key) || inBatch.has(key))) {
      outcomes.set(record.messageId, { kind: 'drop', reason: 'duplicate_delivery' });
      continue;
    }
    if (key !== undefined) inBatch.add(key);
    if (message.kind === 'job') jobs.push({ messageId: record.messageId, message });
    else if (message.kind === 'rerun') reruns.push({ messageId: record.messageId, message });
    else recycles.push({ messageId: record.messageId, message });
  }

  for (const [messageId, outcome] of await processJobs(jobs, deps, ctx)) outcomes.set(messageId, outcome);
  for (const { messageId, message } of recycles) outcomes.set(messageId, await recycleOutcome(message, deps, ctx));
  for (const { messageId, message } of reruns) outcomes.set(messageId, await rerunOutcome(message, deps, ctx));

  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const record of records) {
    let outcome = outcomes.get(record.messageId) ?? { kind: 'retry', reason: 'not_processed' };
    if (outcome.kind === 'dead-letter') outcome = await deadLetter(record, outcome.reason, deps, ctx);
    const message = messages.get(record.messageId);
    const attributes = { messageId: record.messageId, kind: message?.kind, pool: message?.pool };
    const key = message === undefined ? undefined : dedupKey(message);
    if (outcome.kind === 'done' || outcome.kind === 'deferred') {
      // Acted on (a deferred message's delayed copy is on the queue): a duplicate must not act again.
      if (key !== undefined) deps.processed.add(key);
      if (outcome.kind === 'deferred') {
        ctx.log.info('scale-up message held', {
          ...attributes,
          reason: outcome.reason,
          delaySeconds: outcome.delaySeconds,
        });
      }
    } else if (outcome.kind === 'retry') {
      ctx.metrics.count('ScaleUpRetried');
      ctx.log.info('scale-up message retried', { ...attributes, reason: outcome.reason });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    } else if (outcome.kind === 'drop') {
      ctx.metrics.count('ScaleUpDropped');
      ctx.metrics.count(`dropped_${outcome.reason}`);
      const dropped = { ...attributes, reason: outcome.reason };
      if (outcome.quiet === true) ctx.log.debug('scale-up message dropped', dropped);
      else ctx.log.info('scale-up message dropped', dropped);
    }
  }
  return { batchItemFailures };
}

/** What invokes scale-up: its queues' event source mappings, the warm-pool schedule, EC2's spot warnings. */
export type ScaleUpInvocation =
  { readonly Records: readonly ScaleUpRecord[] } | typeof WARM_POOL_EVENT | SpotWarningEvent;

/** What an invocation answers: batch item failures to SQS, a report to the schedule and to EventBridge. */
export type ScaleUpAnswer = ScaleUpResult | WarmPoolReport | SpotWarningReport;

/** One entry for every trigger, so the handler and the simulator's in-process door dispatch alike. */
export function handleScaleUpInvocation(
  event: ScaleUpInvocation,
  deps: ScaleUpDeps,
  ctx: ScaleUpContext,
): Promise<ScaleUpAnswer> {
  if (isWarmPoolEvent(event)) return topUpWarmPools(deps, ctx);
  if (isSpotWarningEvent(event)) return handleSpotWarning(event, deps, ctx);
  if (!('Records' in event) || !Array.isArray(event.Records)) {
    return Promise.reject(
      new PermanentError('scale-up was invoked with neither SQS records, the warm-pool event nor a spot warning'),
    );
  }
  return handleScaleUpBatch(event.Records, deps, ctx);
}
