import type { WebhookConfig } from '../../config/schema.js';
import { describeError } from '../../errors.js';
import type { Log, Metrics } from '../../observability/types.js';
import type { Clock, Ec2Port, SqsPort } from '../../ports/index.js';
import { encodeMessage, type JobMessage } from '../scale-up/messages.js';
import type { Dedup } from './dedup.js';
import { queueSpotRerun } from './spot-rerun.js';
import { recordJobEvidence } from './evidence.js';
import {
  asHttpEvent,
  header,
  isJsonContentType,
  rawBody,
  reject,
  respond,
  type RejectReason,
  type WebhookHttpResult,
} from './http.js';
import { matchPool, refusalReason } from './labels.js';
import { parseTime, workflowJobPayloadSchema, type WorkflowJobPayload } from './payload.js';
import { verifySignature } from './signature.js';

/**
 * The webhook: verify, then route. Nothing with a side effect (SQS, EC2) happens before the
 * signature is verified over the raw bytes; unverified input is never logged (not the body,
 * not the signature, not a JSON parser's message, which quotes the body). Only delivery id,
 * event name, action and the outcome are logged.
 *
 * The HMAC covers the body only: a captured delivery replayed under a fresh `X-GitHub-Delivery`
 * passes. Its effect is bounded: evidence writes are idempotent, and scale-up's `checkJobQueued`
 * (default on) drops a job GitHub no longer holds queued; `maxRunners` caps the rest.
 */

export interface WebhookDeps {
  readonly sqs: Pick<SqsPort, 'sendMessage'>;
  readonly ec2: Pick<Ec2Port, 'listInstances' | 'createTags'>;
  readonly clock: Clock;
  readonly secret: () => Promise<string>;
  readonly deliveries: Dedup;
}

export interface WebhookContext {
  readonly config: Pick<WebhookConfig, 'environment' | 'pools' | 'maxBodyBytes'>;
  readonly log: Log;
  readonly metrics: Metrics;
}

function rejected(context: WebhookContext, reason: RejectReason, deliveryId?: string): WebhookHttpResult {
  context.metrics.count('WebhookRejected');
  context.metrics.count(`WebhookRejected_${reason}`);
  context.log.info('webhook rejected', { reason, ...(deliveryId === undefined ? {} : { deliveryId }) });
  return reject(reason);
}

function ignored(context: WebhookContext, why: string, attributes: Record<string, unknown>): WebhookHttpResult {
  context.metrics.count('WebhookIgnored');
  context.log.info('webhook ignored', { why, ...attributes });
  return respond(202, `ignored: ${why}`);
}

export async function handleWebhook(
  invocation: unknown,
  deps: WebhookDeps,
  context: WebhookContext,
): Promise<WebhookHttpResult> {
  const event = asHttpEvent(invocation);
  const body = rawBody(event, context.config.maxBodyBytes);
  if (!body.ok) return rejected(context, body.reason);
  if (!isJsonContentType(header(event, 'content-type'))) return rejected(context, 'unsupported_media_type');
  const signature = header(event, 'x-hub-signature-256');
  if (signature === undefined || signature.length === 0) return rejected(context, 'missing_signature');

  let secret: string;
  try {
    secret = await deps.secret();
  } catch (error) {
    context.metrics.count('WebhookError');
    context.log.error('webhook secret unavailable', { error: describeError(error) });
    return respond(503, 'unavailable');
  }
  if (!verifySignature(body.bytes, signature, secret)) return rejected(context, 'bad_signature');

  // Verified from here on: the sender knows the secret.
  let json: unknown;
  try {
    json = JSON.parse(body.bytes.toString('utf8'));
  } catch {
    return rejected(context, 'malformed_json');
  }
  const eventName = header(event, 'x-github-event');
  const deliveryId = header(event, 'x-github-delivery');
  if (eventName === undefined || deliveryId === undefined || deliveryId.length === 0 || deliveryId.length > 100) {
    return rejected(context, 'missing_event');
  }
  if (eventName === 'ping') {
    context.metrics.count('WebhookAccepted');
    context.log.info('webhook ping', { deliveryId });
    return respond(200, 'pong');
  }
  // Headers are not covered by the signature: log them bounded.
  if (eventName !== 'workflow_job') return ignored(context, 'event', { deliveryId, eventName: eventName.slice(0, 64) });

  const parsed = workflowJobPayloadSchema.safeParse(json);
  if (!parsed.success) return rejected(context, 'malformed_payload', deliveryId);
  const payload = parsed.data;

  if (deps.deliveries.has(deliveryId)) {
    context.metrics.count('WebhookDuplicate');
    context.log.info('webhook duplicate delivery', { deliveryId });
    return respond(200, 'duplicate');
  }
  try {
    const result = await route(payload, deliveryId, deps, context);
    deps.deliveries.add(deliveryId);
    return result;
  } catch (error) {
    // The effect did not happen: a redelivery of this id is processed, not dropped.
    context.metrics.count('WebhookError');
    context.log.error('webhook processing failed', { deliveryId, error: describeError(error) });
    return respond(503, 'unavailable');
  }
}

async function route(
  payload: WorkflowJobPayload,
  deliveryId: string,
  deps: WebhookDeps,
  context: WebhookContext,
): Promise<WebhookHttpResult> {
  const job = payload.workflow_job;
  const base = { deliveryId, action: payload.action, jobId: job.id };
  const now = deps.clock.now();

  if (payload.action === 'queued') {
    const repository = { owner: payload.repository.owner.login, name: payload.repository.name };
    const poolName = matchPool(context.config.pools, { labels: job.labels, repository });
    const pool = poolName === undefined ? undefined : context.config.pools[poolName];
    if (poolName === undefined || pool === undefined) {
      return ignored(context, refusalReason(context.config.pools, job.labels), { ...base, labels: job.labels });
    }
    const message: JobMessage = {
      kind: 'job',
      deliveryId,
      jobId: job.id,
      runId: job.run_id,
      ...((job.run_attempt ?? 1) > 1 ? { runAttempt: job.run_attempt } : {}),
      repo: { owner: repository.owner, repo: repository.name },
      labels: [...job.labels],
      ...(payload.installation === undefined ? {} : { installationId: payload.installation.id }),
      pool: poolName,
      receivedAtMs: now,
    };
    await deps.sqs.sendMessage(pool.queueUrl, encodeMessage(message));
    context.metrics.count('WebhookAccepted');
    context.metrics.count('WebhookJobQueued');
    context.log.info('job queued for scale-up', { ...base, pool: poolName });
    return respond(202, 'queued');
  }

  if (payload.action === 'in_progress' || payload.action === 'completed') {
    const status = payload.action;
    const atMs = parseTime(status === 'completed' ? job.completed_at : job.started_at) ?? now;
    const outcome = await recordJobEvidence(
      deps.ec2,
      context.config.environment,
      job.runner_name,
      { status, jobId: String(job.id), atMs },
      `${payload.repository.owner.login}/${payload.repository.name}`,
    );
    context.metrics.count('WebhookAccepted');
    context.metrics.count(`WebhookEvidence_${outcome}`);
    context.log.info('job evidence', { ...base, runnerName: job.runner_name ?? null, outcome });
    const rerun = await queueSpotRerun(payload, deliveryId, deps, context.config);
    if (rerun === 'queued') {
      context.metrics.count('WebhookSpotRerunQueued');
      context.log.warn('job lost to a spot reclaim: re-run requested', { ...base, runnerName: job.runner_name });
    } else if (rerun === 'disabled') {
      context.metrics.count('WebhookSpotJobLost');
      context.log.warn('job lost to a spot reclaim (the pool does not re-run such jobs)', {
        ...base,
        runnerName: job.runner_name,
      });
    }
    return respond(200, outcome);
  }

  return ignored(context, 'action', base);
}
