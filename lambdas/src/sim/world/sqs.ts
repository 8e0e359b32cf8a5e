import { NotFoundError } from '../../errors.js';
import type { SqsMessage } from '../../ports/sqs.js';
import type { WorldContext } from './context.js';

interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  visibleMs: number;
  receiveCount: number;
  receiptHandle?: string;
  delayedUntilMs: number;
}

/** SQS queues per pool: send with delay, receive with visibility timeout, delete, approximate depth. */
export class SqsWorld {
  private readonly queues = new Map<string, StoredMessage[]>();
  private seq = 0;

  constructor(private readonly ctx: WorldContext) {}

  ensure(queueUrl: string): void {
    if (!this.queues.has(queueUrl)) this.queues.set(queueUrl, []);
  }

  private queue(queueUrl: string): StoredMessage[] {
    const queue = this.queues.get(queueUrl);
    if (!queue) throw new NotFoundError(`queue ${queueUrl} does not exist`);
    return queue;
  }

  send(queueUrl: string, body: string, delaySeconds = 0): { messageId: string } {
    const queue = this.queue(queueUrl);
    const messageId = `m-${++this.seq}`;
    const at = this.ctx.now + delaySeconds * 1000;
    queue.push({ messageId, body, visibleMs: at, receiveCount: 0, delayedUntilMs: at });
    this.ctx.record('sqs.send', { queue: queueUrl, message: messageId });
    return { messageId };
  }

  receive(queueUrl: string, maxMessages = 1, visibilityTimeoutSeconds = 30): SqsMessage[] {
    const now = this.ctx.now;
    const result: SqsMessage[] = [];
    const max = Math.min(10, Math.max(1, maxMessages));
    for (const message of this.queue(queueUrl)) {
      if (result.length >= max) break;
      if (message.visibleMs > now) continue;
      message.receiveCount++;
      message.visibleMs = now + visibilityTimeoutSeconds * 1000;
      message.receiptHandle = `${message.messageId}#${message.receiveCount}`;
      result.push({
        messageId: message.messageId,
        receiptHandle: message.receiptHandle,
        body: message.body,
        receiveCount: message.receiveCount,
      });
    }
    return result;
  }

  delete(queueUrl: string, receiptHandle: string): void {
    const queue = this.queue(queueUrl);
    const index = queue.findIndex((m) => m.receiptHandle === receiptHandle);
    if (index >= 0) queue.splice(index, 1);
  }

  depth(queueUrl: string): { visible: number; inFlight: number; delayed: number } {
    const now = this.ctx.now;
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of this.queue(queueUrl)) {
      if (message.visibleMs <= now) visible++;
      else if (message.delayedUntilMs > now && message.receiveCount === 0) delayed++;
      else inFlight++;
    }
    return { visible, inFlight, delayed };
  }
}
