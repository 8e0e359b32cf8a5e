/** Error mapping: SDK errors (as aws-sdk-client-mock rejects them) onto the port error hierarchy. */
import { beforeEach, describe, expect, test } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeInstancesCommand,
  EC2Client,
  EC2ServiceException,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  GetParameterCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { QueueDoesNotExist, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createEc2Port } from '../../../src/adapters/aws/ec2.js';
import { mapAwsError } from '../../../src/adapters/aws/errors.js';
import { createSqsPort } from '../../../src/adapters/aws/sqs.js';
import { createSsmPort } from '../../../src/adapters/aws/ssm.js';
import {
  AlreadyExistsError,
  CapacityError,
  NotFoundError,
  PermanentError,
  RateLimitedError,
  TransientError,
} from '../../../src/errors.js';

const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const sqsMock = mockClient(SQSClient);

function ec2Error(name: string, status: number, extra: { $retryable?: { throttling?: boolean } } = {}) {
  const error = new EC2ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `server says ${name}`,
  });
  // The SDK's retry middleware sets $retryable after deserializing; the constructor does not take it.
  return Object.assign(error, extra);
}

const meta = { $metadata: { httpStatusCode: 400 } };

describe('AWS error mapping', () => {
  beforeEach(() => {
    ec2Mock.reset();
    ssmMock.reset();
    sqsMock.reset();
  });

  test.each([
    ['RequestLimitExceeded', 503, RateLimitedError],
    ['Throttling', 400, RateLimitedError],
    ['ThrottlingException', 400, RateLimitedError],
    ['InvalidInstanceID.NotFound', 400, NotFoundError],
    ['InsufficientInstanceCapacity', 500, CapacityError],
    ['InsufficientHostCapacity', 500, CapacityError],
    ['MaxSpotInstanceCountExceeded', 400, CapacityError],
    ['InternalError', 500, TransientError],
    ['Unavailable', 503, TransientError],
    ['SomethingNew', 502, TransientError],
    ['UnauthorizedOperation', 403, PermanentError],
    ['InvalidParameterValue', 400, PermanentError],
  ])('EC2 %s (%i) becomes %p', async (code, status, expected) => {
    // Prepare
    ec2Mock.on(TerminateInstancesCommand).rejects(ec2Error(code, status));
    // Act
    const call = createEc2Port(new EC2Client({ region: 'eu-west-1' })).terminateInstances(['i-1']);
    // Assess
    await expect(call).rejects.toBeInstanceOf(expected);
    await expect(call).rejects.toThrow(`EC2 TerminateInstances i-1 failed with ${code}`);
  });

  test('an error the SDK marks $retryable is transient even with a 4xx', () => {
    // Act
    const mapped = mapAwsError(ec2Error('RequestTimeout', 400, { $retryable: {} }), { service: 'EC2', operation: 'X' });
    const odd = mapAwsError(ec2Error('OddOne', 400, { $retryable: {} }), { service: 'EC2', operation: 'X' });
    // Assess
    expect(mapped).toBeInstanceOf(TransientError);
    expect(odd).toBeInstanceOf(TransientError);
  });

  test('a connection failure without an HTTP response is transient', async () => {
    // Prepare
    ec2Mock
      .on(DescribeInstancesCommand)
      .rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }));
    // Act
    const call = createEc2Port(new EC2Client({ region: 'eu-west-1' })).listInstances({});
    // Assess
    await expect(call).rejects.toBeInstanceOf(TransientError);
  });

  test('SSM ParameterNotFound and ParameterAlreadyExists map, and no message carries the value or SSM text', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'value hunter2 not found', ...meta }));
    ssmMock.on(PutParameterCommand).rejects(new ParameterAlreadyExists({ message: 'hunter2 exists', ...meta }));
    const ssm = createSsmPort(new SSMClient({ region: 'eu-west-1' }));
    // Act
    const get = ssm.getParameter('/ghr/key').catch((e: unknown) => e);
    const put = ssm
      .putParameter({ name: '/ghr/lease', value: 'hunter2', type: 'String', overwrite: false })
      .catch((e: unknown) => e);
    const [getError, putError] = await Promise.all([get, put]);
    // Assess
    expect(getError).toBeInstanceOf(NotFoundError);
    expect(putError).toBeInstanceOf(AlreadyExistsError);
    expect(String(getError)).toContain('/ghr/key');
    expect(String(getError)).not.toContain('hunter2');
    expect(String(putError)).toContain('/ghr/lease');
    expect(String(putError)).not.toContain('hunter2');
  });

  test('SQS QueueDoesNotExist is NotFoundError', async () => {
    // Prepare
    sqsMock.on(SendMessageCommand).rejects(new QueueDoesNotExist({ message: 'no queue', ...meta }));
    // Act
    const call = createSqsPort(new SQSClient({ region: 'eu-west-1' })).sendMessage('https://q', 'body');
    // Assess
    await expect(call).rejects.toBeInstanceOf(NotFoundError);
  });

  test('errors keep the SDK error as their cause', () => {
    // Prepare
    const original = ec2Error('RequestLimitExceeded', 503);
    // Act
    const mapped = mapAwsError(original, { service: 'EC2', operation: 'CreateTags' });
    // Assess
    expect(mapped.cause).toBe(original);
    expect(mapped.retryable).toBe(true);
  });
});
