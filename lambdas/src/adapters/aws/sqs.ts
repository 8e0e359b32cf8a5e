/** SqsPort over AWS SDK v3 (SQS speaks AWS JSON 1.0 since 2023; the SDK handles the wire). */
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SqsMessage, SqsPort } from '../../ports/index.js';
import { PermanentError } from '../../errors.js';
import { awsCall } from './errors.js';

function count(value: string | undefined): number {
  const n = Number(value ?? '0');
  return Number.isFinite(n) ? n : 0;
}

export class SdkSqs implements SqsPort {
  constructor(private readonly client: SQSClient) {}

  async sendMessage(
    queueUrl: string,
    body: string,
    options?: { delaySeconds?: number },
  ): Promise<{ messageId: string }> {
    const response = await awsCall({ service: 'SQS', operation: 'SendMessage', subject: queueUrl }, () =>
      this.client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, DelaySeconds: options?.delaySeconds }),
      ),
    );
    if (response.MessageId === undefined) throw new PermanentError(`SQS SendMessage ${queueUrl} returned no MessageId`);
    return { messageId: response.MessageId };
  }

  async receiveMessages(
    queueUrl: string,
    options?: { maxMessages?: number; visibilityTimeoutSeconds?: number; waitTimeSeconds?: number },
  ): Promise<SqsMessage[]> {
    const response = await awsCall({ service: 'SQS', operation: 'ReceiveMessage', subject: queueUrl }, () =>
      this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: options?.maxMessages,
          VisibilityTimeout: options?.visibilityTimeoutSeconds,
          WaitTimeSeconds: options?.waitTimeSeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      ),
    );
    return (response.Messages ?? []).flatMap((m) =>
      m.MessageId === undefined || m.ReceiptHandle === undefined
        ? []
        : [
            {
              messageId: m.MessageId,
              receiptHandle: m.ReceiptHandle,
              body: m.Body ?? '',
              receiveCount: count(m.Attributes?.ApproximateReceiveCount),
            },
          ],
    );
  }

  async deleteMessage(queueUrl: string, receiptHandle: string): Promise<void> {
    await awsCall({ service: 'SQS', operation: 'DeleteMessage', subject: queueUrl }, () =>
      this.client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle })),
    );
  }

  async getQueueDepth(queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
    const response = await awsCall({ service: 'SQS', operation: 'GetQueueAttributes', subject: queueUrl }, () =>
      this.client.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      ),
    );
    const attributes = response.Attributes ?? {};
    return {
      visible: count(attributes.ApproximateNumberOfMessages),
      inFlight: count(attributes.ApproximateNumberOfMessagesNotVisible),
      delayed: count(attributes.ApproximateNumberOfMessagesDelayed),
    };
  }
}

export function createSqsPort(client: SQSClient): SqsPort {
  return new SdkSqs(client);
}
