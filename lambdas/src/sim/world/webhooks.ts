import { createHmac } from 'node:crypto';
import type { WebhookHttpEvent, WebhookHttpResult } from '../../core/webhook/index.js';
import type { WorldContext } from './context.js';
import type { GitHubWorld, WebhookDelivery } from './github.js';
import type { LambdaService } from './lambda/service.js';
import type { SsmWorld } from './ssm.js';
import type { Job } from './types.js';

/** The name the webhook function is deployed under in the world's Lambda. */
export const WEBHOOK_FUNCTION = 'webhook';

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

/**
 * A `workflow_job` payload as GitHub sends it (GitHub docs, "Webhook events and payloads",
 * workflow_job): the fields the webhook reads, and those an autoscaler of someone else's reads
 * (repository owner type, organization, sender, runner group).
 */
export function workflowJobPayload(delivery: WebhookDelivery, job: Job, installationId?: number): string {
  const assigned = delivery.action !== 'queued';
  const org = job.repoOwnerType === 'Organization';
  const owner = { login: job.repo.owner, id: job.repoOwnerId, type: job.repoOwnerType };
  return JSON.stringify({
    action: delivery.action,
    workflow_job: {
      id: job.id,
      run_id: job.runId,
      run_attempt: job.runAttempt ?? 1,
      workflow_name: 'ci',
      head_branch: 'main',
      html_url: `https://github.com/${job.repo.owner}/${job.repo.repo}/actions/runs/${job.runId}/job/${job.id}`,
      status: delivery.action,
      conclusion: delivery.action === 'completed' ? (job.status === 'completed' ? 'success' : 'cancelled') : null,
      labels: job.labels,
      runner_id: assigned ? (job.runnerId ?? null) : null,
      runner_name: assigned ? (job.runnerName ?? null) : null,
      runner_group_id: assigned ? (job.runnerGroupId ?? null) : null,
      runner_group_name: null,
      created_at: iso(job.arrivalMs),
      started_at: assigned ? iso(job.workerStartMs ?? job.assignedMs) : null,
      completed_at: delivery.action === 'completed' ? iso(job.endMs) : null,
    },
    repository: {
      id: job.repoId,
      name: job.repo.repo,
      full_name: `${job.repo.owner}/${job.repo.repo}`,
      private: true,
      owner,
    },
    ...(org ? { organization: { login: job.repo.owner, id: job.repoOwnerId } } : {}),
    sender: { login: 'github-actions[bot]', type: 'Bot' },
    ...(installationId === undefined ? {} : { installation: { id: installationId } }),
  });
}

/** A delivery as GitHub POSTs it: the body signed with HMAC-SHA256 (`X-Hub-Signature-256`). */
export function signedEvent(
  body: string,
  secret: string,
  deliveryId: string,
  event = 'workflow_job',
): WebhookHttpEvent {
  const signature = `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
  return {
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/simulator',
      'x-github-event': event,
      'x-github-delivery': deliveryId,
      'x-github-hook-installation-target-type': 'integration',
      'x-hub-signature-256': signature,
    },
    body,
    isBase64Encoded: false,
  };
}

/** A delivery kept for someone else's webhook receiver (`--serve` without our webhook). */
export interface RecordedDelivery {
  readonly seq: number;
  readonly atMs: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface WebhookStats {
  deliveries: number;
  /** Answers of our webhook function by status code (`threw`, `crashed`, … for invocations that failed). */
  readonly byStatus: Record<string, number>;
}

/**
 * The GitHub App's webhook endpoint: every `workflow_job` delivery that is not lost is signed with
 * the App's webhook secret and POSTed to the webhook function's URL (Lambda invokes it), or, when
 * no webhook function is deployed, recorded for an external receiver to fetch.
 */
export class WebhookEndpoint {
  readonly stats: WebhookStats = { deliveries: 0, byStatus: {} };
  readonly recorded: RecordedDelivery[] = [];
  /** A delivery sent again keeps its `X-GitHub-Delivery` (a redelivery); a new one gets a new id. */
  private readonly ids = new WeakMap<WebhookDelivery, string>();
  private seq = 0;

  constructor(
    private readonly ctx: WorldContext,
    private readonly github: GitHubWorld,
    private readonly ssm: SsmWorld,
    private readonly lambda: LambdaService,
    private readonly secretParameter: string,
  ) {}

  deliver(delivery: WebhookDelivery, job: Job): void {
    const secret = this.ssm.parameters.get(this.secretParameter)?.value ?? '';
    const seq = ++this.seq;
    const deliveryId = this.ids.get(delivery) ?? `delivery-${seq}`;
    this.ids.set(delivery, deliveryId);
    const installation = this.github.installationIdOf(job.repo.owner);
    const body = workflowJobPayload(delivery, job, installation);
    const event = signedEvent(body, secret, deliveryId);
    this.stats.deliveries++;
    if (!this.lambda.deployed(WEBHOOK_FUNCTION)) {
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers[key] = value;
      this.recorded.push({ seq, atMs: this.ctx.now, headers, body });
      return;
    }
    void this.lambda.invoke<WebhookHttpEvent, WebhookHttpResult>(WEBHOOK_FUNCTION, event).then((outcome) => {
      const status = outcome.kind === 'ok' ? String(outcome.result.statusCode) : outcome.kind;
      this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
    });
  }

  /** Deliveries after sequence number `after` (for an external receiver). */
  recordedAfter(after: number): RecordedDelivery[] {
    return this.recorded.filter((d) => d.seq > after);
  }
}
