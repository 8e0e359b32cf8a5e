/** EC2 facade specifics the contract does not cover: paging on the wire, raw SDK calls, error round trips. */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { createEc2Port } from '../../../src/adapters/aws/ec2.js';
import { mapAwsError } from '../../../src/adapters/aws/errors.js';
import { CapacityError, PermanentError, RateLimitedError, TransientError } from '../../../src/errors.js';
import type { Ec2Port } from '../../../src/ports/index.js';
import { AwsWireError, Ec2Facade } from '../../../src/sim/facades/aws/index.js';
import { InMemoryEc2, ManualClock } from '../../../src/sim/memory/index.js';
import { fleetRequest } from '../../support/ec2-contract.js';
import { sdkOptions } from './harness.js';

/** A backend that fails every call with a chosen error; the rest is delegated. */
function failing(inner: Ec2Port, error: () => Error): Ec2Port {
  return {
    listInstances: () => Promise.reject(error()),
    createTags: () => Promise.reject(error()),
    deleteTags: () => Promise.reject(error()),
    terminateInstances: (ids) => inner.terminateInstances(ids),
    createFleet: () => Promise.reject(error()),
  };
}

describe('EC2 Query facade', () => {
  let clock: ManualClock;
  let backend: InMemoryEc2;
  let facade: Ec2Facade;
  let client: EC2Client;
  const seen: string[] = [];

  beforeEach(async () => {
    clock = new ManualClock();
    backend = new InMemoryEc2(clock);
    seen.length = 0;
    facade = new Ec2Facade(backend, { onCall: (call) => seen.push(`${call.action}:${call.status}`) });
    client = new EC2Client(sdkOptions(await facade.start()));
  });
  afterEach(async () => {
    client.destroy();
    await facade.close();
  });

  test('the adapter reads 2500 instances in three DescribeInstances pages of at most 1000', async () => {
    // Prepare
    await backend.createFleet(fleetRequest({ targetCapacity: 2500 }));
    const ec2 = createEc2Port(client);
    // Act
    const listed = await ec2.listInstances({ tags: { 'ghr:pool': 'linux' } });
    // Assess
    expect(listed).toHaveLength(2500);
    expect(facade.calls()).toEqual({ DescribeInstances: 3 });
    expect(seen).toEqual(['DescribeInstances:200', 'DescribeInstances:200', 'DescribeInstances:200']);
  });

  test('several values of one filter are ORed, as EC2 does', async () => {
    // Prepare
    await backend.createFleet(fleetRequest({ targetCapacity: 1, tags: { pool: 'a' } }));
    await backend.createFleet(fleetRequest({ targetCapacity: 1, tags: { pool: 'b' } }));
    await backend.createFleet(fleetRequest({ targetCapacity: 1, tags: { pool: 'c' } }));
    // Act
    const page = await client.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'tag:pool', Values: ['a', 'c'] }] }),
    );
    // Assess
    const pools = (page.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.Tags?.[0]?.Value);
    expect(pools.sort()).toEqual(['a', 'c']);
  });

  test('the InstanceId parameter refuses unknown ids, and MaxResults cannot go with it', async () => {
    // Act
    const unknown = client.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] }));
    const combined = client.send(new DescribeInstancesCommand({ InstanceIds: ['i-1'], MaxResults: 5 }));
    // Assess
    await expect(unknown).rejects.toMatchObject({
      name: 'InvalidInstanceID.NotFound',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(combined).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
  });

  test('an unknown filter name is refused', async () => {
    // Act
    const call = client.send(new DescribeInstancesCommand({ Filters: [{ Name: 'vpc-id', Values: ['vpc-1'] }] }));
    // Assess
    await expect(call).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  test('RunInstances launches through the backend with one override and its tags', async () => {
    // Act
    const response = await client.send(
      new RunInstancesCommand({
        MinCount: 1,
        MaxCount: 2,
        LaunchTemplate: { LaunchTemplateName: 'ghr-linux', Version: '3' },
        InstanceType: 't3.small',
        SubnetId: 'subnet-z',
        InstanceMarketOptions: { MarketType: 'spot' },
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'ghr:pool', Value: 'run' }] }],
      }),
    );
    // Assess
    const instances = response.Instances ?? [];
    expect(instances.map((i) => [i.InstanceType, i.InstanceLifecycle, i.State?.Name])).toEqual([
      ['t3.small', 'spot', 'pending'],
      ['t3.small', 'spot', 'pending'],
    ]);
    expect((await backend.listInstances({ tags: { 'ghr:pool': 'run' } })).length).toBe(2);
  });

  test('RunInstances without capacity fails with InsufficientInstanceCapacity, which the adapter maps to CapacityError', async () => {
    // Prepare
    backend.exhaustCapacity('t3.small');
    // Act
    const call = client.send(
      new RunInstancesCommand({
        MinCount: 1,
        MaxCount: 1,
        LaunchTemplate: { LaunchTemplateName: 'lt' },
        InstanceType: 't3.small',
      }),
    );
    const error = await call.catch((e: unknown) => e);
    // Assess
    expect(error).toMatchObject({ name: 'InsufficientInstanceCapacity', $metadata: { httpStatusCode: 500 } });
    expect(mapAwsError(error, { service: 'EC2', operation: 'RunInstances' })).toBeInstanceOf(CapacityError);
  });

  test('TerminateInstances answers current and previous states', async () => {
    // Prepare
    const { instanceIds } = await backend.createFleet(fleetRequest({ targetCapacity: 1 }));
    clock.advance(600_000);
    // Act
    const response = await client.send(new TerminateInstancesCommand({ InstanceIds: [...instanceIds] }));
    // Assess
    expect(response.TerminatingInstances?.map((i) => [i.CurrentState?.Name, i.PreviousState?.Name])).toEqual([
      ['shutting-down', 'running'],
    ]);
  });

  test('a request without an authorization header is refused', async () => {
    // Act
    const response = await fetch(`${facade.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeInstances&Version=2016-11-15',
    });
    // Assess
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });

  test.each([
    ['rate limit', () => new RateLimitedError('slow down'), RateLimitedError, 'RequestLimitExceeded', 503],
    ['capacity', () => new CapacityError('none left'), CapacityError, 'InsufficientInstanceCapacity', 500],
    ['transient', () => new TransientError('oops'), TransientError, 'InternalError', 500],
    ['permanent', () => new PermanentError('bad'), PermanentError, 'InvalidParameterValue', 400],
    [
      'wire code',
      () => new AwsWireError('UnauthorizedOperation', 403, 'no'),
      PermanentError,
      'UnauthorizedOperation',
      403,
    ],
  ])('a backend %s error reaches the adapter as the same port error', async (_label, error, expected, code, status) => {
    // Prepare
    const local = new Ec2Facade(failing(backend, error));
    const localClient = new EC2Client(sdkOptions(await local.start()));
    try {
      // Act
      const raw = localClient.send(new DescribeInstancesCommand({}));
      const mapped = createEc2Port(localClient).createTags(['i-1'], { k: 'v' });
      // Assess
      await expect(raw).rejects.toMatchObject({ name: code, $metadata: { httpStatusCode: status } });
      await expect(mapped).rejects.toBeInstanceOf(expected);
    } finally {
      localClient.destroy();
      await local.close();
    }
  });
});
