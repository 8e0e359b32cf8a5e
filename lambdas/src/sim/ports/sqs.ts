import type { SqsMessage, SqsPort } from '../../ports/sqs.js';
import type { World } from '../world/world.js';
import { gated, openGate, type CallGate } from './gate.js';

export class InProcessSqs implements SqsPort {
  constructor(
    private readonly world: World,
    private readonly gate: CallGate = openGate,
  ) {}

  private call<T>(action: string, run: () => T): Promise<T> {
    return gated(
      this.gate,
      `sqs.${action}`,
      () => {
        this.world.counters.awsCall(`sqs:${action}`);
        return run();
      },
      this.world.latency('aws'),
    );
  }

  sendMessage(queueUrl: string, body: string, options?: { delaySeconds?: number }): Promise<{ messageId: string }> {
    return this.call('SendMessage', () => this.world.sqs.send(queueUrl, body, options?.delaySeconds ?? 0));
  }

  receiveMessages(
    queueUrl: string,
    options?: { maxMessages?: number; visibilityTimeoutSeconds?: number; waitTimeSeconds?: number },
  ): Promise<SqsMessage[]> {
    return this.call('ReceiveMessage', () =>
      this.world.sqs.receive(queueUrl, options?.maxMessages ?? 1, options?.visibilityTimeoutSeconds),
    );
  }

  deleteMessage(queueUrl: string, receiptHandle: string): Promise<void> {
    return this.call('DeleteMessage', () => this.world.sqs.delete(queueUrl, receiptHandle));
  }

  getQueueDepth(queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
    return this.call('GetQueueAttributes', () => this.world.sqs.depth(queueUrl));
  }
}
