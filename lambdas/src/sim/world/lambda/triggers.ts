import type { WorldContext } from '../context.js';
import type { SqsWorld } from '../sqs.js';
import type { LambdaService } from './service.js';

/** The part of an SQS event record Lambda delivers (aws-lambda `SQSRecord`, the fields we model). */
export interface SqsEventRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly eventSource: 'aws:sqs';
  readonly eventSourceARN: string;
  readonly attributes: { readonly ApproximateReceiveCount: string };
}

export interface SqsEvent {
  readonly Records: readonly SqsEventRecord[];
}

/** What a scale-up invocation answers (`ReportBatchItemFailures`). */
export interface BatchResult {
  readonly batchItemFailures: readonly { readonly itemIdentifier: string }[];
}

/** The Terraform module's mapping: batches of ≤ 10, no batching window (modules/scale-up/variables.tf). */
export const ESM_BATCH_SIZE = 10;
/** Lambda's pollers pick up a visible message within about a second. */
const POLL_MS = 1000;

export interface EsmStats {
  invocations: number;
  messages: number;
  retried: number;
  failedInvocations: number;
}

/**
 * Lambda's SQS event source mapping: one poller per queue, one batch in flight per queue. A batch
 * item failure stays on the queue and reappears after the visibility timeout; a failed, crashed or
 * timed-out invocation leaves the whole batch there; the queue's redrive policy moves a message past
 * `maxReceiveCount` to its dead-letter queue (sqs.ts). The poller wakes when a message becomes
 * visible (no empty polls are modelled: they cost nothing the accounting counts).
 */
export class EventSourceMappings {
  readonly stats: EsmStats = { invocations: 0, messages: 0, retried: 0, failedInvocations: 0 };
  private readonly inFlight = new Set<string>();
  private readonly wakeAt = new Map<string, number>();
  private endMs = Number.POSITIVE_INFINITY;

  constructor(
    private readonly ctx: WorldContext,
    private readonly sqs: SqsWorld,
    private readonly lambda: LambdaService,
    private readonly countAws: (action: string) => void,
  ) {}

  /** Stops polling after `endMs` (a finite run). */
  until(endMs: number): void {
    this.endMs = endMs;
  }

  map(queueUrl: string, functionName: string): void {
    this.sqs.watch(queueUrl, (visibleMs) => this.wake(queueUrl, functionName, visibleMs));
    const next = this.sqs.nextVisibleMs(queueUrl);
    if (next !== undefined) this.wake(queueUrl, functionName, next);
  }

  /** Polls at the first poll tick at or after `atMs`, unless one is due sooner. */
  private wake(queueUrl: string, functionName: string, atMs: number): void {
    const at = Math.max(this.ctx.now, Math.ceil(atMs / POLL_MS) * POLL_MS);
    if (at > this.endMs) return;
    const due = this.wakeAt.get(queueUrl);
    if (due !== undefined && due <= at && due >= this.ctx.now) return;
    this.wakeAt.set(queueUrl, at);
    this.ctx.engine.at(at, 'esm-poll', () => {
      if (this.wakeAt.get(queueUrl) !== at) return;
      this.wakeAt.delete(queueUrl);
      this.poll(queueUrl, functionName);
    });
  }

  private poll(queueUrl: string, functionName: string): void {
    if (this.inFlight.has(queueUrl)) return;
    this.countAws('sqs:ReceiveMessage');
    const received = this.sqs.receive(queueUrl, ESM_BATCH_SIZE);
    if (received.length === 0) {
      const next = this.sqs.nextVisibleMs(queueUrl);
      if (next !== undefined) this.wake(queueUrl, functionName, next);
      return;
    }
    const arn = this.sqs.attributes(queueUrl).arn;
    const event: SqsEvent = {
      Records: received.map((m) => ({
        messageId: m.messageId,
        receiptHandle: m.receiptHandle,
        body: m.body,
        eventSource: 'aws:sqs',
        eventSourceARN: arn,
        attributes: { ApproximateReceiveCount: String(m.receiveCount) },
      })),
    };
    this.inFlight.add(queueUrl);
    this.stats.invocations++;
    this.stats.messages += received.length;
    void this.lambda.invoke<SqsEvent, BatchResult>(functionName, event).then((outcome) => {
      this.inFlight.delete(queueUrl);
      if (outcome.kind === 'ok') {
        const failed = new Set(outcome.result.batchItemFailures.map((f) => f.itemIdentifier));
        this.stats.retried += failed.size;
        for (const m of received) {
          if (failed.has(m.messageId)) continue;
          this.countAws('sqs:DeleteMessage');
          this.sqs.delete(queueUrl, m.receiptHandle);
        }
      } else {
        this.stats.failedInvocations++;
      }
      const next = this.sqs.nextVisibleMs(queueUrl);
      if (next !== undefined) this.wake(queueUrl, functionName, next);
    });
  }
}

/**
 * EventBridge Scheduler invoking a function every period. Reserved concurrency 1 (the module's
 * scale-down): a tick while a run is in flight is throttled, counted as skipped. An overlap fault
 * adds a second invocation `offsetSeconds` after each tick, outside the reserved concurrency.
 */
export class Schedules {
  readonly skipped = new Map<string, number>();

  constructor(
    private readonly ctx: WorldContext,
    private readonly lambda: LambdaService,
  ) {}

  every(
    functionName: string,
    timing: { readonly firstAtMs: number; readonly everyMs: number; readonly endMs: number },
    overlap?: { readonly offsetSeconds: number; readonly fromMs?: number; readonly toMs?: number },
    input: unknown = { source: 'scheduler' },
  ): void {
    const tick = (at: number): void => {
      if (at > timing.endMs) return;
      this.ctx.engine.at(at, 'schedule', () => {
        void this.lambda.invoke(functionName, input).then((outcome) => {
          if (outcome.kind === 'throttled') this.skipped.set(functionName, (this.skipped.get(functionName) ?? 0) + 1);
        });
        const inWindow = overlap && at >= (overlap.fromMs ?? 0) && at < (overlap.toMs ?? Number.POSITIVE_INFINITY);
        if (overlap && inWindow) {
          this.ctx.engine.after(overlap.offsetSeconds * 1000, 'schedule-overlap', () => {
            void this.lambda.invoke(functionName, { source: 'overlap' }, { ignoreConcurrency: true, label: 'overlap' });
          });
        }
        tick(at + timing.everyMs);
      });
    };
    tick(timing.firstAtMs);
  }
}

/**
 * EventBridge rules on the default bus for EC2's events (here: the spot interruption warning,
 * "EC2 Spot Instance Interruption Warning"): each target function is invoked asynchronously with the
 * event as EC2 publishes it. Not retried here: the module's rule has no retry policy beyond Lambda's
 * own async retries, which the world does not model.
 */
export class Ec2EventRules {
  private readonly spotTargets: string[] = [];

  constructor(
    private readonly ctx: WorldContext,
    private readonly lambda: LambdaService,
    private readonly account: string,
    private readonly region: string,
  ) {}

  onSpotWarning(functionName: string): void {
    this.spotTargets.push(functionName);
  }

  spotWarning(instanceId: string): void {
    if (this.spotTargets.length === 0) return;
    const event = {
      version: '0',
      id: `spot-${instanceId}-${this.ctx.now}`,
      'detail-type': 'EC2 Spot Instance Interruption Warning',
      source: 'aws.ec2',
      account: this.account,
      time: new Date(this.ctx.now).toISOString(),
      region: this.region,
      resources: [`arn:aws:ec2:${this.region}:${this.account}:instance/${instanceId}`],
      detail: { 'instance-id': instanceId, 'instance-action': 'terminate' },
    };
    for (const target of this.spotTargets) void this.lambda.invoke(target, event, { label: 'spot-warning' });
  }
}
