/** Behaviours every SqsPort implementation must show (in-memory, SDK adapter via the facade, simulator). */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { NotFoundError } from '../../src/errors.js';
import type { SqsPort } from '../../src/ports/index.js';

export interface SqsContractSubject {
  readonly sqs: SqsPort;
  /** An existing, empty queue whose default visibility timeout is 30 s and default delay 0. */
  readonly queueUrl: string;
  readonly missingQueueUrl: string;
  advance(ms: number): void | Promise<void>;
  close(): Promise<void>;
}

export function describeSqsContract(name: string, setup: () => Promise<SqsContractSubject>): void {
  describe(`SqsPort contract: ${name}`, () => {
    let s: SqsContractSubject;
    beforeEach(async () => {
      s = await setup();
    });
    afterEach(async () => {
      await s.close();
    });

    test('a sent message is received once with its body, and a deleted one never comes back', async () => {
      // Prepare
      const { messageId } = await s.sqs.sendMessage(s.queueUrl, '{"pool":"linux","n":1}');
      // Act
      const [first, ...rest] = await s.sqs.receiveMessages(s.queueUrl, { maxMessages: 10 });
      if (first === undefined) throw new Error('nothing received');
      await s.sqs.deleteMessage(s.queueUrl, first.receiptHandle);
      await s.advance(60_000);
      const again = await s.sqs.receiveMessages(s.queueUrl, { maxMessages: 10 });
      // Assess
      expect(rest).toEqual([]);
      expect(first).toMatchObject({ messageId, body: '{"pool":"linux","n":1}', receiveCount: 1 });
      expect(again).toEqual([]);
      expect(await s.sqs.getQueueDepth(s.queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    });

    test('a received message stays invisible for its visibility timeout, then returns with a higher count', async () => {
      // Prepare
      await s.sqs.sendMessage(s.queueUrl, 'job');
      await s.sqs.receiveMessages(s.queueUrl, { visibilityTimeoutSeconds: 120 });
      // Act
      await s.advance(119_000);
      const during = await s.sqs.receiveMessages(s.queueUrl);
      const depthDuring = await s.sqs.getQueueDepth(s.queueUrl);
      await s.advance(2_000);
      const after = await s.sqs.receiveMessages(s.queueUrl);
      // Assess
      expect(during).toEqual([]);
      expect(depthDuring).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
      expect(after.map((m) => [m.body, m.receiveCount])).toEqual([['job', 2]]);
    });

    test('the queue default visibility timeout applies when none is given', async () => {
      // Prepare
      await s.sqs.sendMessage(s.queueUrl, 'job');
      await s.sqs.receiveMessages(s.queueUrl);
      // Act
      await s.advance(29_000);
      const during = await s.sqs.receiveMessages(s.queueUrl);
      await s.advance(2_000);
      const after = await s.sqs.receiveMessages(s.queueUrl);
      // Assess
      expect(during).toEqual([]);
      expect(after).toHaveLength(1);
    });

    test('a delayed message is counted as delayed and arrives after its delay', async () => {
      // Prepare
      await s.sqs.sendMessage(s.queueUrl, 'later', { delaySeconds: 10 });
      await s.sqs.sendMessage(s.queueUrl, 'now');
      // Act
      const early = await s.sqs.receiveMessages(s.queueUrl, { maxMessages: 10 });
      const depth = await s.sqs.getQueueDepth(s.queueUrl);
      await s.advance(10_000);
      const late = await s.sqs.receiveMessages(s.queueUrl, { maxMessages: 10 });
      // Assess
      expect(early.map((m) => m.body)).toEqual(['now']);
      expect(depth).toEqual({ visible: 0, inFlight: 1, delayed: 1 });
      expect(late.map((m) => m.body)).toEqual(['later']);
    });

    test('receive returns at most maxMessages (default 1, at most 10), and depth counts the rest', async () => {
      // Prepare
      for (let i = 0; i < 15; i++) await s.sqs.sendMessage(s.queueUrl, `m${i}`);
      // Act
      const one = await s.sqs.receiveMessages(s.queueUrl);
      const ten = await s.sqs.receiveMessages(s.queueUrl, { maxMessages: 10 });
      const depth = await s.sqs.getQueueDepth(s.queueUrl);
      // Assess
      expect(one).toHaveLength(1);
      expect(ten).toHaveLength(10);
      expect(new Set([...one, ...ten].map((m) => m.messageId)).size).toBe(11);
      expect(depth).toEqual({ visible: 4, inFlight: 11, delayed: 0 });
    });

    test('an unknown queue is NotFoundError', async () => {
      // Act / Assess
      await expect(s.sqs.sendMessage(s.missingQueueUrl, 'x')).rejects.toBeInstanceOf(NotFoundError);
      await expect(s.sqs.receiveMessages(s.missingQueueUrl)).rejects.toBeInstanceOf(NotFoundError);
      await expect(s.sqs.getQueueDepth(s.missingQueueUrl)).rejects.toBeInstanceOf(NotFoundError);
    });
  });
}
