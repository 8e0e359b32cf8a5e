/**
 * Ec2Port over AWS SDK v3. DescribeInstances is read through every NextToken page; mutating calls
 * are split into batches of at most 1000 ids (the EC2 per-request limit for resource id lists).
 */
import {
  CreateFleetCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
  type Filter,
  type Instance,
  type FleetOnDemandAllocationStrategy,
  type SpotAllocationStrategy,
  type Tag,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import type {
  CreateFleetRequest,
  CreateFleetResult,
  Ec2Port,
  FleetInstance,
  InstanceFilter,
  InstanceState,
} from '../../ports/index.js';
import { PermanentError } from '../../errors.js';
import { chunk } from './batch.js';
import { awsCall } from './errors.js';

export const EC2_BATCH_SIZE = 1000;
/** DescribeInstances page size: the API maximum (EC2 API reference, DescribeInstances MaxResults). */
export const DESCRIBE_PAGE_SIZE = 1000;

const STATES: readonly InstanceState[] = ['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped'];

/**
 * EC2 ORs the values of one filter and ANDs filters. `tag-key` with several values would mean "any of
 * these keys", but the port means "all of them": the first key narrows on the server and every key
 * is checked again here (see matchesTagKeys). Filter values treat `*` and `?` as wildcards; the tag
 * codecs (core/tags.ts) never produce either.
 */
export function toEc2Filters(filter: InstanceFilter): Filter[] {
  const filters: Filter[] = [];
  for (const [key, value] of Object.entries(filter.tags ?? {})) filters.push({ Name: `tag:${key}`, Values: [value] });
  const firstKey = filter.tagKeys?.[0];
  if (firstKey !== undefined) filters.push({ Name: 'tag-key', Values: [firstKey] });
  if (filter.states !== undefined) filters.push({ Name: 'instance-state-name', Values: [...filter.states] });
  if (filter.instanceIds !== undefined) filters.push({ Name: 'instance-id', Values: [...filter.instanceIds] });
  return filters;
}

/**
 * The SDK types InstanceType as a closed union that lags new instance families; EC2 itself validates
 * the value. The string comes from the schema-checked config, not from the wire, hence the widening cast.
 */
function wireInstanceType(instanceType: string): _InstanceType {
  return instanceType as _InstanceType;
}

const SPOT_STRATEGIES: readonly SpotAllocationStrategy[] = [
  'capacity-optimized',
  'capacity-optimized-prioritized',
  'diversified',
  'lowest-price',
  'price-capacity-optimized',
];
const ON_DEMAND_STRATEGIES: readonly FleetOnDemandAllocationStrategy[] = ['lowest-price', 'prioritized'];

function oneOf<T extends string>(allowed: readonly T[], value: string, what: string): T {
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) throw new PermanentError(`${what} must be one of ${allowed.join(', ')}; got ${value}`);
  return match;
}

function matchesTagKeys(instance: FleetInstance, keys: readonly string[] | undefined): boolean {
  return (keys ?? []).every((key) => Object.hasOwn(instance.tags, key));
}

function toState(name: string | undefined): InstanceState | undefined {
  return STATES.find((state) => state === name);
}

function tagRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? '';
  return record;
}

/** Instances without an id or a known state are left out: nothing can be decided about them. */
export function toFleetInstance(instance: Instance): FleetInstance | undefined {
  const state = toState(instance.State?.Name);
  if (instance.InstanceId === undefined || state === undefined) return undefined;
  return {
    instanceId: instance.InstanceId,
    state,
    launchTimeMs: instance.LaunchTime?.getTime() ?? 0,
    instanceType: instance.InstanceType ?? 'unknown',
    // InstanceLifecycle is absent for on-demand instances (EC2 API reference, Instance).
    lifecycle: instance.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand',
    tags: tagRecord(instance.Tags),
  };
}

export class SdkEc2 implements Ec2Port {
  constructor(private readonly client: EC2Client) {}

  async listInstances(filter: InstanceFilter): Promise<FleetInstance[]> {
    if (filter.instanceIds !== undefined && filter.instanceIds.length === 0) return [];
    const filters = toEc2Filters(filter);
    const found: FleetInstance[] = [];
    let nextToken: string | undefined;
    do {
      const page = await awsCall({ service: 'EC2', operation: 'DescribeInstances' }, () =>
        this.client.send(
          new DescribeInstancesCommand({ Filters: filters, MaxResults: DESCRIBE_PAGE_SIZE, NextToken: nextToken }),
        ),
      );
      for (const reservation of page.Reservations ?? []) {
        for (const raw of reservation.Instances ?? []) {
          const instance = toFleetInstance(raw);
          if (instance !== undefined && matchesTagKeys(instance, filter.tagKeys)) found.push(instance);
        }
      }
      nextToken = page.NextToken === '' ? undefined : page.NextToken;
    } while (nextToken !== undefined);
    return found;
  }

  async createTags(instanceIds: readonly string[], tags: Readonly<Record<string, string>>): Promise<void> {
    const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    if (Tags.length === 0) return;
    for (const ids of chunk(instanceIds, EC2_BATCH_SIZE)) {
      await awsCall({ service: 'EC2', operation: 'CreateTags', subject: ids[0] }, () =>
        this.client.send(new CreateTagsCommand({ Resources: ids, Tags })),
      );
    }
  }

  async deleteTags(instanceIds: readonly string[], keys: readonly string[]): Promise<void> {
    // Tags with only a Key delete the tag whatever its value (EC2 API reference, DeleteTags).
    const Tags = keys.map((Key) => ({ Key }));
    if (Tags.length === 0) return;
    for (const ids of chunk(instanceIds, EC2_BATCH_SIZE)) {
      await awsCall({ service: 'EC2', operation: 'DeleteTags', subject: ids[0] }, () =>
        this.client.send(new DeleteTagsCommand({ Resources: ids, Tags })),
      );
    }
  }

  async terminateInstances(instanceIds: readonly string[]): Promise<void> {
    for (const ids of chunk(instanceIds, EC2_BATCH_SIZE)) {
      await awsCall({ service: 'EC2', operation: 'TerminateInstances', subject: ids[0] }, () =>
        this.client.send(new TerminateInstancesCommand({ InstanceIds: ids })),
      );
    }
  }

  async createFleet(request: CreateFleetRequest): Promise<CreateFleetResult> {
    const spotStrategy = oneOf(
      SPOT_STRATEGIES,
      request.spotAllocationStrategy ?? 'price-capacity-optimized',
      'spot allocation strategy',
    );
    const onDemandStrategy = oneOf(
      ON_DEMAND_STRATEGIES,
      request.onDemandAllocationStrategy ?? 'lowest-price',
      'on-demand allocation strategy',
    );
    const tags = Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value }));
    const response = await awsCall(
      { service: 'EC2', operation: 'CreateFleet', subject: request.launchTemplateName },
      () =>
        this.client.send(
          new CreateFleetCommand({
            Type: 'instant',
            LaunchTemplateConfigs: [
              {
                LaunchTemplateSpecification: {
                  LaunchTemplateName: request.launchTemplateName,
                  Version: request.launchTemplateVersion ?? '$Default',
                },
                Overrides: request.overrides.map((o) => ({
                  InstanceType: wireInstanceType(o.instanceType),
                  SubnetId: o.subnetId,
                })),
              },
            ],
            TargetCapacitySpecification: {
              TotalTargetCapacity: request.targetCapacity,
              DefaultTargetCapacityType: request.capacityType,
              ...(request.capacityType === 'spot'
                ? { SpotTargetCapacity: request.targetCapacity }
                : { OnDemandTargetCapacity: request.targetCapacity }),
            },
            ...(request.capacityType === 'spot'
              ? { SpotOptions: { AllocationStrategy: spotStrategy } }
              : { OnDemandOptions: { AllocationStrategy: onDemandStrategy } }),
            TagSpecifications:
              tags.length === 0
                ? undefined
                : [
                    { ResourceType: 'instance', Tags: tags },
                    { ResourceType: 'volume', Tags: tags },
                  ],
          }),
        ),
    );
    return {
      instanceIds: (response.Instances ?? []).flatMap((i) => i.InstanceIds ?? []),
      errors: (response.Errors ?? []).map((e) => ({ code: e.ErrorCode ?? 'Unknown', message: e.ErrorMessage ?? '' })),
    };
  }
}

export function createEc2Port(client: EC2Client): Ec2Port {
  return new SdkEc2(client);
}
