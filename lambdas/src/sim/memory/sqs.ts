/**
 * A deterministic in-memory SqsPort. Delay and visibility timeout run on the injected clock; messages
 * come out in send order. Like SQS, a receipt handle is only good for the latest receive of a
 * message: deleting with an older one succeeds but deletes nothing (SQS developer guide,
 * "Queue and message identifiers"). Long polling (`waitTimeSeconds`) returns at once.
 */
import { NotFoundError } from '../../errors.js';
import type { Clock, SqsMessage, SqsPort } from '../../ports/index.js';

export interface QueueOptions {
  readonly visibilityTimeoutSeconds?: number;
  readonly delaySeconds?: number;
}

interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  visibleAtMs: number;
  receiveCount: number;
  receiptHandle?: string;
}

interface Queue {
  readonly options: Required<QueueOptions>;
  readonly messages: StoredMessage[];
}

export class InMemorySqs implements SqsPort {
  private readonly queues = new Map<string, Queue>();
  private nextId = 1;

  constructor(private readonly clock: Clock) {}

  createQueue(queueUrl: string, options: QueueOptions = {}): void {
    this.queues.set(queueUrl, {
      options: {
        visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
        delaySeconds: options.delaySeconds ?? 0,
      },
      messages: [],
    });
  }

  private queue(queueUrl: string): Queue {
    const queue = this.queues.get(queueUrl);
    if (queue === undefined) throw new NotFoundError(`The specified queue ${queueUrl} does not exist`);
    return queue;
  }

  async sendMessage(
    queueUrl: string,
    body: string,
    options?: { delaySeconds?: number },
  ): Promise<{ messageId: string }> {
    const queue = this.queue(queueUrl);
    const messageId = `m-${String(this.nextId++).padStart(8, '0')}`;
    const delaySeconds = options?.delaySeconds ?? queue.options.delaySeconds;
    queue.messages.push({ messageId, body, visibleAtMs: this.clock.now() + delaySeconds * 1000, receiveCount: 0 });
    return { messageId };
  }

  async receiveMessages(
    queueUrl: string,
    options?: { maxMessages?: number; visibilityTimeoutSeconds?: number; waitTimeSeconds?: number },
  ): Promise<SqsMessage[]> {
    const queue = this.queue(queueUrl);
    const now = this.clock.now();
    const max = Math.min(Math.max(options?.maxMessages ?? 1, 1), 10);
    const visibilityMs = (options?.visibilityTimeoutSeconds ?? queue.options.visibilityTimeoutSeconds) * 1000;
    const received: SqsMessage[] = [];
    for (const message of queue.messages) {
      if (received.length >= max) break;
      if (message.visibleAtMs > now) continue;
      message.receiveCount += 1;
      message.visibleAtMs = now + visibilityMs;
      message.receiptHandle = `${message.messageId}#${message.receiveCount}`;
      received.push({
        messageId: message.messageId,
        receiptHandle: message.receiptHandle,
        body: message.body,
        receiveCount: message.receiveCount,
      });
    }
    return received;
  }

  async deleteMessage(queueUrl: string, receiptHandle: string): Promise<void> {
    const queue = this.queue(queueUrl);
    const index = queue.messages.findIndex((m) => m.receiptHandle === receiptHandle);
    if (index >= 0) queue.messages.splice(index, 1);
  }

  async getQueueDepth(queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
    const queue = this.queue(queueUrl);
    const now = this.clock.now();
    const depth = { visible: 0, inFlight: 0, delayed: 0 };
    for (const message of queue.messages) {
      if (message.visibleAtMs <= now) depth.visible += 1;
      else if (message.receiveCount > 0) depth.inFlight += 1;
      else depth.delayed += 1;
    }
    return depth;
  }
}
