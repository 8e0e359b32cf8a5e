/** SSM and SQS facade specifics: wire shapes, error round trips, call accounting, MD5s. */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, test } from '@jest/globals';
import { GetParametersByPathCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createSqsPort } from '../../../src/adapters/aws/sqs.js';
import { createSsmPort } from '../../../src/adapters/aws/ssm.js';
import { RateLimitedError, TransientError } from '../../../src/errors.js';
import type { SqsPort, SsmPort } from '../../../src/ports/index.js';
import { SqsFacade, SsmFacade } from '../../../src/sim/facades/aws/index.js';
import { InMemorySqs, InMemorySsm, ManualClock } from '../../../src/sim/memory/index.js';
import { facadeSqs, facadeSsm, QUEUE_URL, sdkOptions } from './harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('SSM JSON 1.1 facade', () => {
  test('GetParametersByPath pages by ten and honours Recursive=false', async () => {
    // Prepare
    const subject = await facadeSsm();
    cleanups.push(subject.close);
    for (let i = 0; i < 12; i++) {
      await subject.ssm.putParameter({ name: `/p/top${i}`, value: 'v', type: 'String', overwrite: false });
    }
    await subject.ssm.putParameter({ name: '/p/deep/x', value: 'v', type: 'String', overwrite: false });
    const client = new SSMClient(sdkOptions(subject.facade.url));
    cleanups.push(async () => client.destroy());
    subject.facade.resetCalls();
    // Act
    const all = await subject.ssm.listParameters('/p');
    const shallow = await client.send(new GetParametersByPathCommand({ Path: '/p', Recursive: false, MaxResults: 10 }));
    // Assess
    expect(all).toHaveLength(13);
    expect(subject.facade.calls()).toEqual({ GetParametersByPath: 3 });
    expect(shallow.Parameters?.some((p) => p.Name === '/p/deep/x')).toBe(false);
    expect(shallow.NextToken).toBeDefined();
  });

  test('GetParameters lists missing names as InvalidParameters and refuses more than ten', async () => {
    // Prepare
    const subject = await facadeSsm();
    cleanups.push(subject.close);
    await subject.ssm.putParameter({ name: '/a', value: 'v', type: 'String', overwrite: false });
    const client = new SSMClient(sdkOptions(subject.facade.url));
    cleanups.push(async () => client.destroy());
    // Act
    const some = await client.send(new GetParametersCommand({ Names: ['/a', '/b'], WithDecryption: true }));
    const tooMany = client.send(new GetParametersCommand({ Names: Array.from({ length: 11 }, (_, i) => `/n${i}`) }));
    // Assess
    expect(some.Parameters?.map((p) => p.Name)).toEqual(['/a']);
    expect(some.InvalidParameters).toEqual(['/b']);
    await expect(tooMany).rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('LastModifiedDate survives the wire to the millisecond', async () => {
    // Prepare
    const subject = await facadeSsm();
    cleanups.push(subject.close);
    subject.clock.advance(1234);
    // Act
    await subject.ssm.putParameter({ name: '/t', value: 'v', type: 'String', overwrite: false });
    const read = await subject.ssm.getParameter('/t');
    // Assess
    expect(read.lastModifiedMs).toBe(subject.clock.now());
  });

  test('backend throttling comes back as ThrottlingException and RateLimitedError', async () => {
    // Prepare
    const throttled: SsmPort = new InMemorySsm(new ManualClock());
    throttled.getParameter = () => Promise.reject(new RateLimitedError('busy'));
    const facade = new SsmFacade(throttled);
    const client = new SSMClient(sdkOptions(await facade.start()));
    cleanups.push(async () => {
      client.destroy();
      await facade.close();
    });
    // Act
    const call = createSsmPort(client).getParameter('/x');
    // Assess
    await expect(call).rejects.toBeInstanceOf(RateLimitedError);
    expect(facade.calls()).toEqual({ GetParameter: 1 });
  });
});

describe('SQS JSON 1.0 facade', () => {
  test('the SDK accepts the facade MD5s and the receive count attribute', async () => {
    // Prepare
    const subject = await facadeSqs();
    cleanups.push(subject.close);
    const client = new SQSClient(sdkOptions(subject.facade.url));
    cleanups.push(async () => client.destroy());
    // Act
    const sent = await client.send(new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: 'héllo ✓' }));
    const received = await client.send(
      new ReceiveMessageCommand({ QueueUrl: QUEUE_URL, MessageSystemAttributeNames: ['All'], MaxNumberOfMessages: 1 }),
    );
    // Assess
    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('héllo ✓', 'utf8').digest('hex'));
    expect(received.Messages?.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([['héllo ✓', '1']]);
    expect(subject.facade.calls()).toEqual({ SendMessage: 1, ReceiveMessage: 1 });
  });

  test('an unknown queue carries the legacy query code so the SDK names it QueueDoesNotExist', async () => {
    // Prepare
    const subject = await facadeSqs();
    cleanups.push(subject.close);
    const client = new SQSClient(sdkOptions(subject.facade.url));
    cleanups.push(async () => client.destroy());
    // Act
    const call = client.send(new SendMessageCommand({ QueueUrl: subject.missingQueueUrl, MessageBody: 'x' }));
    // Assess
    await expect(call).rejects.toMatchObject({ name: 'QueueDoesNotExist', $metadata: { httpStatusCode: 400 } });
  });

  test('backend failures come back as RequestThrottled / InternalError and map to the same port errors', async () => {
    // Prepare
    const backend: SqsPort = new InMemorySqs(new ManualClock());
    backend.sendMessage = () => Promise.reject(new RateLimitedError('busy'));
    backend.getQueueDepth = () => Promise.reject(new TransientError('down'));
    const facade = new SqsFacade(backend);
    const client = new SQSClient(sdkOptions(await facade.start()));
    cleanups.push(async () => {
      client.destroy();
      await facade.close();
    });
    const sqs = createSqsPort(client);
    // Act
    const send = sqs.sendMessage(QUEUE_URL, 'x');
    const depth = sqs.getQueueDepth(QUEUE_URL);
    // Assess
    await expect(send).rejects.toBeInstanceOf(RateLimitedError);
    await expect(depth).rejects.toBeInstanceOf(TransientError);
  });
});
