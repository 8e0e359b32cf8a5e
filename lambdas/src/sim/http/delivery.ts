import { createHmac } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { WebhookHttpEvent } from '../../core/webhook/index.js';
import type { WebhookDelivery } from '../world/github.js';
import type { Job } from '../world/types.js';

/**
 * A world webhook delivery as GitHub sends it to a function URL: a `workflow_job` payload with the
 * fields the webhook reads (GitHub docs, "Webhook events and payloads", workflow_job), signed with
 * HMAC-SHA256 over the raw body (`X-Hub-Signature-256`, "Validating webhook deliveries").
 */

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

export function workflowJobPayload(delivery: WebhookDelivery, job: Job, installationId?: number): string {
  const status = delivery.action;
  const assigned = delivery.action !== 'queued';
  return JSON.stringify({
    action: delivery.action,
    workflow_job: {
      id: job.id,
      run_id: job.runId,
      status,
      conclusion: delivery.action === 'completed' ? (job.status === 'completed' ? 'success' : 'cancelled') : null,
      labels: job.labels,
      runner_id: assigned ? (job.runnerId ?? null) : null,
      runner_name: assigned ? (job.runnerName ?? null) : null,
      created_at: iso(job.arrivalMs),
      started_at: assigned ? iso(job.workerStartMs ?? job.assignedMs) : null,
      completed_at: delivery.action === 'completed' ? iso(job.endMs) : null,
    },
    repository: {
      name: job.repo.repo,
      full_name: `${job.repo.owner}/${job.repo.repo}`,
      owner: { login: job.repo.owner },
    },
    ...(installationId === undefined ? {} : { installation: { id: installationId } }),
  });
}

export function signedEvent(body: string, secret: string, deliveryId: string): WebhookHttpEvent {
  const signature = `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
  return {
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/simulator',
      'x-github-event': 'workflow_job',
      'x-github-delivery': deliveryId,
      'x-hub-signature-256': signature,
    },
    body,
    isBase64Encoded: false,
  };
}

/** A Lambda context for one simulated invocation (middy and Powertools read it). */
export function lambdaContext(functionName: string, requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `sim-${functionName}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:sim-${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/sim-${functionName}`,
    logStreamName: 'simulator',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
