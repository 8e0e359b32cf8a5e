/** The EC2 adapter's request shapes and result mapping, against aws-sdk-client-mock. */
import { beforeEach, describe, expect, test } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  CreateFleetCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  EC2Client,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { createEc2Port } from '../../../src/adapters/aws/ec2.js';
import { PermanentError } from '../../../src/errors.js';
import { fleetRequest } from '../../support/ec2-contract.js';

const ec2Mock = mockClient(EC2Client);
const port = () => createEc2Port(new EC2Client({ region: 'eu-west-1' }));
const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-${String(i).padStart(17, '0')}`);

describe('EC2 adapter', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  test('listInstances sends every filter with MaxResults 1000 and follows NextToken', async () => {
    // Prepare
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [
          {
            Instances: [
              {
                InstanceId: 'i-1',
                State: { Name: 'running' },
                LaunchTime: new Date(5000),
                InstanceType: 'm5.large',
                InstanceLifecycle: 'spot',
                Tags: [
                  { Key: 'a', Value: '1' },
                  { Key: 'k1', Value: '' },
                  { Key: 'k2', Value: 'x' },
                ],
              },
            ],
          },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        Reservations: [
          {
            Instances: [
              {
                InstanceId: 'i-2',
                State: { Name: 'pending' },
                Tags: [
                  { Key: 'a', Value: '1' },
                  { Key: 'k1', Value: '' },
                ],
              },
            ],
          },
        ],
      });
    // Act
    const listed = await port().listInstances({
      tags: { a: '1' },
      tagKeys: ['k1', 'k2'],
      states: ['pending', 'running'],
      instanceIds: ['i-1', 'i-2'],
    });
    // Assess
    const expectedFilters = [
      { Name: 'tag:a', Values: ['1'] },
      { Name: 'tag-key', Values: ['k1'] },
      { Name: 'instance-state-name', Values: ['pending', 'running'] },
      { Name: 'instance-id', Values: ['i-1', 'i-2'] },
    ];
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 2);
    expect(ec2Mock).toHaveReceivedNthSpecificCommandWith(1, DescribeInstancesCommand, {
      Filters: expectedFilters,
      MaxResults: 1000,
    });
    expect(ec2Mock).toHaveReceivedNthSpecificCommandWith(2, DescribeInstancesCommand, {
      NextToken: 'page-2',
      MaxResults: 1000,
    });
    // i-2 lacks k2: tag keys are ANDed on our side (EC2 would OR them)
    expect(listed).toEqual([
      {
        instanceId: 'i-1',
        state: 'running',
        launchTimeMs: 5000,
        instanceType: 'm5.large',
        lifecycle: 'spot',
        tags: { a: '1', k1: '', k2: 'x' },
      },
    ]);
  });

  test('instances without lifecycle are on-demand; an empty id list asks nothing', async () => {
    // Prepare
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-9', State: { Name: 'stopped' } }] }] });
    // Act
    const listed = await port().listInstances({});
    const none = await port().listInstances({ instanceIds: [] });
    // Assess
    expect(listed.map((i) => [i.lifecycle, i.state, i.tags])).toEqual([['on-demand', 'stopped', {}]]);
    expect(none).toEqual([]);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 1);
  });

  test('createTags, deleteTags and terminateInstances go in batches of at most 1000 ids', async () => {
    // Prepare
    ec2Mock.on(CreateTagsCommand).resolves({});
    ec2Mock.on(DeleteTagsCommand).resolves({});
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    const all = ids(2500);
    // Act
    await port().createTags(all, { 'ghr:lifecycle': 'retiring@1' });
    await port().deleteTags(all.slice(0, 1001), ['ghr:lifecycle']);
    await port().terminateInstances(all.slice(0, 1000));
    // Assess
    const created = ec2Mock.commandCalls(CreateTagsCommand).map((c) => c.args[0].input.Resources?.length);
    const deleted = ec2Mock.commandCalls(DeleteTagsCommand).map((c) => c.args[0].input.Resources?.length);
    expect(created).toEqual([1000, 1000, 500]);
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, {
      Tags: [{ Key: 'ghr:lifecycle', Value: 'retiring@1' }],
    });
    expect(deleted).toEqual([1000, 1]);
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteTagsCommand, { Tags: [{ Key: 'ghr:lifecycle' }] });
    expect(ec2Mock).toHaveReceivedCommandTimes(TerminateInstancesCommand, 1);
  });

  test('createFleet asks for an instant spot fleet with every override and tags on instances and volumes', async () => {
    // Prepare
    ec2Mock.on(CreateFleetCommand).resolves({
      Instances: [{ InstanceIds: ['i-1', 'i-2'] }, { InstanceIds: ['i-3'] }],
      Errors: [{ ErrorCode: 'InsufficientInstanceCapacity', ErrorMessage: 'none in b' }],
    });
    // Act
    const result = await port().createFleet(fleetRequest({ targetCapacity: 3, launchTemplateVersion: '7' }));
    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(CreateFleetCommand, {
      Type: 'instant',
      LaunchTemplateConfigs: [
        {
          LaunchTemplateSpecification: { LaunchTemplateName: 'ghr-linux', Version: '7' },
          Overrides: [
            { InstanceType: 'm5.large', SubnetId: 'subnet-a' },
            { InstanceType: 'c5.large', SubnetId: 'subnet-b' },
          ],
        },
      ],
      TargetCapacitySpecification: { TotalTargetCapacity: 3, DefaultTargetCapacityType: 'spot', SpotTargetCapacity: 3 },
      SpotOptions: { AllocationStrategy: 'price-capacity-optimized' },
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'ghr:environment', Value: 'test' },
            { Key: 'ghr:pool', Value: 'linux' },
          ],
        },
        {
          ResourceType: 'volume',
          Tags: [
            { Key: 'ghr:environment', Value: 'test' },
            { Key: 'ghr:pool', Value: 'linux' },
          ],
        },
      ],
    });
    expect(result).toEqual({
      instanceIds: ['i-1', 'i-2', 'i-3'],
      errors: [{ code: 'InsufficientInstanceCapacity', message: 'none in b' }],
    });
  });

  test('an on-demand fleet sets on-demand capacity and options and no spot options', async () => {
    // Prepare
    ec2Mock.on(CreateFleetCommand).resolves({});
    // Act
    const result = await port().createFleet(
      fleetRequest({ capacityType: 'on-demand', onDemandAllocationStrategy: 'prioritized' }),
    );
    // Assess
    const input = ec2Mock.commandCalls(CreateFleetCommand)[0]?.args[0].input;
    expect(input?.TargetCapacitySpecification).toEqual({
      TotalTargetCapacity: 2,
      DefaultTargetCapacityType: 'on-demand',
      OnDemandTargetCapacity: 2,
    });
    expect(input?.OnDemandOptions).toEqual({ AllocationStrategy: 'prioritized' });
    expect(input?.SpotOptions).toBeUndefined();
    expect(input?.LaunchTemplateConfigs?.[0]?.LaunchTemplateSpecification?.Version).toBe('$Default');
    expect(result).toEqual({ instanceIds: [], errors: [] });
  });

  test('an unknown allocation strategy is refused before calling EC2', async () => {
    // Act
    const call = port().createFleet(fleetRequest({ spotAllocationStrategy: 'cheapest-please' }));
    // Assess
    await expect(call).rejects.toBeInstanceOf(PermanentError);
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateFleetCommand, 0);
  });
});
