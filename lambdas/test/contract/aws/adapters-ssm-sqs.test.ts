/** The SSM and SQS adapters' request shapes, against aws-sdk-client-mock. */
import { beforeEach, describe, expect, test } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createSqsPort } from '../../../src/adapters/aws/sqs.js';
import { createSsmPort } from '../../../src/adapters/aws/ssm.js';

const ssmMock = mockClient(SSMClient);
const sqsMock = mockClient(SQSClient);
const ssm = () => createSsmPort(new SSMClient({ region: 'eu-west-1' }));
const sqs = () => createSqsPort(new SQSClient({ region: 'eu-west-1' }));

describe('SSM adapter', () => {
  beforeEach(() => {
    ssmMock.reset();
  });

  test('getParameter asks for decryption and maps the parameter', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves({
      Parameter: { Name: '/k', Value: 'secret', Version: 3, LastModifiedDate: new Date(42_000) },
    });
    // Act
    const parameter = await ssm().getParameter('/k');
    // Assess
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/k', WithDecryption: true });
    expect(parameter).toEqual({ name: '/k', value: 'secret', version: 3, lastModifiedMs: 42_000 });
  });

  test('getParameters asks in chunks of ten, decrypted, without duplicates', async () => {
    // Prepare
    ssmMock.on(GetParametersCommand).callsFake((input: { Names?: string[] }) => ({
      Parameters: (input.Names ?? []).map((Name) => ({ Name, Value: `v${Name}`, Version: 1 })),
    }));
    const names = Array.from({ length: 25 }, (_, i) => `/n/${i}`);
    // Act
    const found = await ssm().getParameters([...names, '/n/0']);
    // Assess
    const calls = ssmMock.commandCalls(GetParametersCommand).map((c) => c.args[0].input);
    expect(calls.map((input) => input.Names?.length)).toEqual([10, 10, 5]);
    expect(calls.every((input) => input.WithDecryption === true)).toBe(true);
    expect(found).toHaveLength(25);
  });

  test('putParameter passes the overwrite flag and type; deleteParameter the name', async () => {
    // Prepare
    ssmMock.on(PutParameterCommand).resolves({ Version: 4 });
    ssmMock.on(DeleteParameterCommand).resolves({});
    // Act
    const put = await ssm().putParameter({ name: '/lease', value: 'me', type: 'String', overwrite: false });
    await ssm().putParameter({ name: '/jit/i-1', value: 'x', type: 'SecureString', overwrite: true });
    await ssm().deleteParameter('/lease');
    // Assess
    expect(put).toEqual({ version: 4 });
    expect(ssmMock).toHaveReceivedNthSpecificCommandWith(1, PutParameterCommand, {
      Name: '/lease',
      Type: 'String',
      Overwrite: false,
    });
    expect(ssmMock).toHaveReceivedNthSpecificCommandWith(2, PutParameterCommand, {
      Type: 'SecureString',
      Overwrite: true,
    });
    expect(ssmMock).toHaveReceivedCommandWith(DeleteParameterCommand, { Name: '/lease' });
  });

  test('listParameters is recursive, never decrypts, keeps no value and follows NextToken', async () => {
    // Prepare
    ssmMock
      .on(GetParametersByPathCommand)
      .resolvesOnce({ Parameters: [{ Name: '/p/a', Value: 'AQICciphertext1' }], NextToken: 't2' })
      .resolvesOnce({ Parameters: [{ Name: '/p/b/c', Value: 'AQICciphertext2', LastModifiedDate: new Date(5000) }] });
    // Act
    const found = await ssm().listParameters('/p');
    // Assess
    expect(found).toEqual([
      { name: '/p/a', lastModifiedMs: 0 },
      { name: '/p/b/c', lastModifiedMs: 5000 },
    ]);
    expect(ssmMock).toHaveReceivedNthSpecificCommandWith(1, GetParametersByPathCommand, {
      Path: '/p',
      Recursive: true,
      WithDecryption: false,
    });
    expect(ssmMock).toHaveReceivedNthSpecificCommandWith(2, GetParametersByPathCommand, { NextToken: 't2' });
  });
});

describe('SQS adapter', () => {
  beforeEach(() => {
    sqsMock.reset();
  });

  test('sendMessage passes DelaySeconds; receive asks for the receive count', async () => {
    // Prepare
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    sqsMock.on(ReceiveMessageCommand).resolves({
      Messages: [{ MessageId: 'm-1', ReceiptHandle: 'rh', Body: 'b', Attributes: { ApproximateReceiveCount: '3' } }],
    });
    // Act
    const sent = await sqs().sendMessage('https://q', 'b', { delaySeconds: 30 });
    const received = await sqs().receiveMessages('https://q', {
      maxMessages: 5,
      visibilityTimeoutSeconds: 60,
      waitTimeSeconds: 0,
    });
    // Assess
    expect(sent).toEqual({ messageId: 'm-1' });
    expect(sqsMock).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: 'https://q',
      MessageBody: 'b',
      DelaySeconds: 30,
    });
    expect(sqsMock).toHaveReceivedCommandWith(ReceiveMessageCommand, {
      MaxNumberOfMessages: 5,
      VisibilityTimeout: 60,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    });
    expect(received).toEqual([{ messageId: 'm-1', receiptHandle: 'rh', body: 'b', receiveCount: 3 }]);
  });

  test('getQueueDepth reads the three approximate counts', async () => {
    // Prepare
    sqsMock.on(GetQueueAttributesCommand).resolves({
      Attributes: {
        ApproximateNumberOfMessages: '4',
        ApproximateNumberOfMessagesNotVisible: '2',
        ApproximateNumberOfMessagesDelayed: '1',
      },
    });
    // Act
    const depth = await sqs().getQueueDepth('https://q');
    // Assess
    expect(depth).toEqual({ visible: 4, inFlight: 2, delayed: 1 });
    expect(sqsMock).toHaveReceivedCommandWith(GetQueueAttributesCommand, {
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    });
  });
});
