/** The SQS port: pool queues (scale-up requests, recycle requests) and their depth. */

export interface SqsMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  /** How many times it was received, this time included. */
  readonly receiveCount: number;
}

export interface SqsPort {
  sendMessage(queueUrl: string, body: string, options?: { delaySeconds?: number }): Promise<{ messageId: string }>;
  receiveMessages(
    queueUrl: string,
    options?: { maxMessages?: number; visibilityTimeoutSeconds?: number; waitTimeSeconds?: number },
  ): Promise<SqsMessage[]>;
  deleteMessage(queueUrl: string, receiptHandle: string): Promise<void>;
  /** ApproximateNumberOfMessages + ApproximateNumberOfMessagesNotVisible + …Delayed. */
  getQueueDepth(queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }>;
}
