/**
 * SQS facade: AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.SendMessage`), which SQS and the SDK speak since
 * 2023 (client-sqs 3.1169.0 uses AwsJson1_0Protocol with `awsQueryCompatible`, so errors also carry
 * the legacy query code in `x-amzn-query-error`). The SDK checks MD5OfMessageBody / MD5OfBody, so
 * the facade computes them.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SqsPort } from '../../../ports/index.js';
import { AwsWireError, toWireError, type FacadeOptions, type FacadeRequest, type FacadeResponse } from './http.js';
import { JsonFacade } from './json.js';

const WIRE = {
  notFound: ['QueueDoesNotExist', 400],
  alreadyExists: ['InvalidParameterValue', 400],
  rateLimited: ['RequestThrottled', 403],
  capacity: ['InternalError', 500],
  transient: ['InternalError', 500],
  invalid: ['InvalidParameterValue', 400],
} as const;

/** Legacy query codes the SDK reads from `x-amzn-query-error` (client-sqs error schemas). */
const QUERY_CODES: Record<string, string> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
};

const queueUrl = z.string().min(1);
const SendMessage = z.object({
  QueueUrl: queueUrl,
  MessageBody: z.string().min(1),
  DelaySeconds: z.number().int().min(0).max(900).optional(),
});
const ReceiveMessage = z.object({
  QueueUrl: queueUrl,
  MaxNumberOfMessages: z.number().int().min(1).max(10).optional(),
  VisibilityTimeout: z.number().int().min(0).max(43_200).optional(),
  WaitTimeSeconds: z.number().int().min(0).max(20).optional(),
  MessageSystemAttributeNames: z.array(z.string()).optional(),
  AttributeNames: z.array(z.string()).optional(),
});
const DeleteMessage = z.object({ QueueUrl: queueUrl, ReceiptHandle: z.string().min(1) });
const GetQueueAttributes = z.object({ QueueUrl: queueUrl, AttributeNames: z.array(z.string()).optional() });

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

export class SqsFacade extends JsonFacade {
  protected readonly targetPrefix = 'AmazonSQS';
  protected readonly contentType = 'application/x-amz-json-1.0';

  constructor(
    private readonly backend: SqsPort,
    options: FacadeOptions = {},
  ) {
    super(options);
  }

  protected toWire(error: unknown): AwsWireError {
    return toWireError(error, WIRE);
  }

  protected errorResponse(error: AwsWireError): FacadeResponse {
    const fault = error.status >= 500 ? 'Receiver' : 'Sender';
    return {
      status: error.status,
      headers: {
        'content-type': this.contentType,
        'x-amzn-query-error': `${QUERY_CODES[error.code] ?? error.code};${fault}`,
      },
      body: JSON.stringify({ __type: `com.amazonaws.sqs#${error.code}`, message: error.message }),
    };
  }

  protected async handle(action: string, request: FacadeRequest): Promise<FacadeResponse> {
    switch (action) {
      case 'SendMessage': {
        const input = this.input(SendMessage, request);
        const { messageId } = await this.backend.sendMessage(input.QueueUrl, input.MessageBody, {
          delaySeconds: input.DelaySeconds,
        });
        return this.ok({ MessageId: messageId, MD5OfMessageBody: md5(input.MessageBody) });
      }
      case 'ReceiveMessage': {
        const input = this.input(ReceiveMessage, request);
        const wanted = [...(input.MessageSystemAttributeNames ?? []), ...(input.AttributeNames ?? [])];
        const withCount = wanted.includes('All') || wanted.includes('ApproximateReceiveCount');
        const messages = await this.backend.receiveMessages(input.QueueUrl, {
          maxMessages: input.MaxNumberOfMessages,
          visibilityTimeoutSeconds: input.VisibilityTimeout,
          waitTimeSeconds: input.WaitTimeSeconds,
        });
        return this.ok({
          Messages: messages.map((m) => ({
            MessageId: m.messageId,
            ReceiptHandle: m.receiptHandle,
            MD5OfBody: md5(m.body),
            Body: m.body,
            ...(withCount ? { Attributes: { ApproximateReceiveCount: String(m.receiveCount) } } : {}),
          })),
        });
      }
      case 'DeleteMessage': {
        const input = this.input(DeleteMessage, request);
        await this.backend.deleteMessage(input.QueueUrl, input.ReceiptHandle);
        return this.ok({});
      }
      case 'GetQueueAttributes': {
        const input = this.input(GetQueueAttributes, request);
        const depth = await this.backend.getQueueDepth(input.QueueUrl);
        const all: Record<string, string> = {
          ApproximateNumberOfMessages: String(depth.visible),
          ApproximateNumberOfMessagesNotVisible: String(depth.inFlight),
          ApproximateNumberOfMessagesDelayed: String(depth.delayed),
        };
        const names = input.AttributeNames ?? [];
        const picked = Object.fromEntries(
          Object.entries(all).filter(([k]) => names.includes('All') || names.includes(k)),
        );
        return this.ok({ Attributes: picked });
      }
      default:
        return this.unknownAction(action);
    }
  }
}
