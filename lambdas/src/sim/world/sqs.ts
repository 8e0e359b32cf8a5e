import { NotFoundError } from '../../errors.js';
import type { SqsMessage } from '../../ports/sqs.js';
import type { WorldContext } from './context.js';

/** A queue's attributes as the Terraform module sets them (modules/webhook/queues.tf). */
export interface QueueAttributes {
  readonly arn: string;
  /** Default visibility timeout of a receive that names none. */
  readonly visibilityTimeoutSeconds: number;
  /** SQS redrive: a message received more than `maxReceiveCount` times moves to the dead-letter queue. */
  readonly redrive?: { readonly deadLetterQueueUrl: string; readonly maxReceiveCount: number };
}

interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentMs: number;
  visibleMs: number;
  receiveCount: number;
  receiptHandle?: string;
  delayedUntilMs: number;
}

interface Queue {
  readonly url: string;
  readonly attributes: QueueAttributes;
  readonly messages: StoredMessage[];
  /** Messages moved here by redrive, for the accounting. */
  redriven: number;
}

/**
 * SQS (world-model.md): standard queues with send delay, receive with visibility timeout,
 * delete by the latest receipt handle, approximate depth, and redrive to a dead-letter queue
 * (the message moves on the receive that would exceed `maxReceiveCount`: SQS developer guide,
 * "Using dead-letter queues").
 */
export class SqsWorld {
  private readonly queues = new Map<string, Queue>();
  private readonly byArn = new Map<string, string>();
  private readonly watchers = new Map<string, (visibleMs: number) => void>();
  private seq = 0;

  constructor(private readonly ctx: WorldContext) {}

  /** Creates the queue unless it exists (a queue created without attributes gets a made-up ARN). */
  ensure(queueUrl: string, attributes?: Partial<QueueAttributes>): void {
    if (this.queues.has(queueUrl)) return;
    const name = queueUrl.split('/').at(-1) ?? 'queue';
    const full: QueueAttributes = {
      arn: attributes?.arn ?? `arn:aws:sqs:eu-west-1:123456789012:${name}`,
      visibilityTimeoutSeconds: attributes?.visibilityTimeoutSeconds ?? 30,
      ...(attributes?.redrive ? { redrive: attributes.redrive } : {}),
    };
    if (full.redrive) this.ensure(full.redrive.deadLetterQueueUrl);
    this.queues.set(queueUrl, { url: queueUrl, attributes: full, messages: [], redriven: 0 });
    this.byArn.set(full.arn, queueUrl);
  }

  private queue(queueUrl: string): Queue {
    const queue = this.queues.get(queueUrl);
    if (!queue) throw new NotFoundError(`queue ${queueUrl} does not exist`);
    return queue;
  }

  attributes(queueUrl: string): QueueAttributes {
    return this.queue(queueUrl).attributes;
  }

  urlOfArn(arn: string): string | undefined {
    return this.byArn.get(arn);
  }

  send(queueUrl: string, body: string, delaySeconds = 0): { messageId: string } {
    const queue = this.queue(queueUrl);
    const messageId = `m-${++this.seq}`;
    const at = this.ctx.now + delaySeconds * 1000;
    queue.messages.push({ messageId, body, sentMs: this.ctx.now, visibleMs: at, receiveCount: 0, delayedUntilMs: at });
    this.ctx.record('sqs.send', { queue: queueUrl, message: messageId });
    this.watchers.get(queueUrl)?.(at);
    return { messageId };
  }

  /** One consumer (a Lambda event source mapping) is told when a sent message becomes visible. */
  watch(queueUrl: string, onMessage: (visibleMs: number) => void): void {
    this.queue(queueUrl);
    this.watchers.set(queueUrl, onMessage);
  }

  /** When the next message becomes visible (undefined: the queue is empty). */
  nextVisibleMs(queueUrl: string): number | undefined {
    let next: number | undefined;
    for (const message of this.queue(queueUrl).messages) {
      if (next === undefined || message.visibleMs < next) next = message.visibleMs;
    }
    return next;
  }

  receive(queueUrl: string, maxMessages = 1, visibilityTimeoutSeconds?: number): SqsMessage[] {
    const queue = this.queue(queueUrl);
    const now = this.ctx.now;
    const visibilityMs = (visibilityTimeoutSeconds ?? queue.attributes.visibilityTimeoutSeconds) * 1000;
    const result: SqsMessage[] = [];
    const max = Math.min(10, Math.max(1, maxMessages));
    const redrive = queue.attributes.redrive;
    for (let i = 0; i < queue.messages.length && result.length < max;) {
      const message = queue.messages[i]!;
      if (message.visibleMs > now) {
        i++;
        continue;
      }
      if (redrive !== undefined && message.receiveCount >= redrive.maxReceiveCount) {
        queue.messages.splice(i, 1);
        queue.redriven++;
        this.queue(redrive.deadLetterQueueUrl).messages.push({ ...message, visibleMs: now, receiveCount: 0 });
        this.ctx.record('sqs.deadLetter', { queue: queueUrl, message: message.messageId });
        continue;
      }
      message.receiveCount++;
      message.visibleMs = now + visibilityMs;
      message.receiptHandle = `${message.messageId}#${message.receiveCount}`;
      result.push({
        messageId: message.messageId,
        receiptHandle: message.receiptHandle,
        body: message.body,
        receiveCount: message.receiveCount,
      });
      i++;
    }
    return result;
  }

  /** Deletes by the latest receipt handle; an older handle deletes nothing (as SQS). */
  delete(queueUrl: string, receiptHandle: string): void {
    const queue = this.queue(queueUrl);
    const index = queue.messages.findIndex((m) => m.receiptHandle === receiptHandle);
    if (index >= 0) queue.messages.splice(index, 1);
  }

  /** Approximate depth: visible, in flight (received, not deleted), delayed. */
  depth(queueUrl: string): { visible: number; inFlight: number; delayed: number } {
    const now = this.ctx.now;
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of this.queue(queueUrl).messages) {
      if (message.visibleMs <= now) visible++;
      else if (message.delayedUntilMs > now && message.receiveCount === 0) delayed++;
      else inFlight++;
    }
    return { visible, inFlight, delayed };
  }

  /** Where a message is now: waiting (or delayed), received and not yet deleted, or gone (deleted or redriven). */
  messageState(queueUrl: string, messageId: string): 'queued' | 'inFlight' | 'gone' {
    const message = this.queue(queueUrl).messages.find((m) => m.messageId === messageId);
    if (message === undefined) return 'gone';
    return message.receiveCount > 0 && message.visibleMs > this.ctx.now ? 'inFlight' : 'queued';
  }

  /** The bodies on a queue now (a dead-letter queue's content, for the accounting). */
  bodies(queueUrl: string): string[] {
    return this.queue(queueUrl).messages.map((m) => m.body);
  }

  /** Messages the redrive policy moved from this queue to its dead-letter queue. */
  redrivenFrom(queueUrl: string): number {
    return this.queue(queueUrl).redriven;
  }
}
