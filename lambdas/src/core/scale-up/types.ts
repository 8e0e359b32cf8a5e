import type { ScaleUpConfig } from '../../config/schema.js';
import type { SecretRegistry } from '../../observability/redact.js';
import type { Log, Metrics } from '../../observability/types.js';
import type { Ports } from '../../ports/index.js';
import type { Dedup } from '../webhook/dedup.js';

export interface ScaleUpDeps extends Pick<Ports, 'github' | 'ec2' | 'ssm' | 'sqs' | 'clock'> {
  /** Registered JIT configs and registration tokens are scrubbed from every log line. */
  readonly secrets: SecretRegistry;
  /** Delivery ids already acted on by this container (see dedup.ts for what that does and does not cover). */
  readonly processed: Dedup;
}

export interface ScaleUpContext {
  readonly config: ScaleUpConfig;
  readonly log: Log;
  readonly metrics: Metrics;
}

/**
 * What became of one queue message:
 * - `done`: acted on; delete it.
 * - `deferred`: acknowledged, with a delayed copy of it sent to the same queue (a job held at the
 *   pool's maximum: requeue.ts); delete it.
 * - `drop`: nothing to do, or a permanent problem that a retry cannot fix; delete it (logged, at
 *   debug when `quiet`), so one bad message does not cycle until the DLQ.
 * - `dead-letter`: a job that cannot be launched for, for a permanent reason (a launch or GitHub error
 *   that a retry would repeat): sent to the pool's dead-letter queue with its reason, counted
 *   (`ScaleUpDeadLettered`) and alarmed (the queue's depth alarm), then deleted; never dropped silently.
 * - `retry`: a transient problem (rate limit, 5xx, no capacity, a failed config after launch, a
 *   held copy that could not be sent); report it in `batchItemFailures` so SQS redelivers it
 *   after the visibility timeout, and after `maxReceiveCount` moves it to the DLQ.
 */
export type Outcome =
  | { readonly kind: 'done'; readonly instanceIds?: readonly string[] }
  | { readonly kind: 'deferred'; readonly reason: string; readonly delaySeconds: number }
  | { readonly kind: 'drop'; readonly reason: string; readonly quiet?: boolean }
  | { readonly kind: 'dead-letter'; readonly reason: string }
  | { readonly kind: 'retry'; readonly reason: string };
