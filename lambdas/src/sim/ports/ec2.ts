import { NotFoundError, PermanentError } from '../../errors.js';
import type { CreateFleetRequest, CreateFleetResult, Ec2Port, FleetInstance, InstanceFilter } from '../../ports/ec2.js';
import type { Instance } from '../world/types.js';
import type { World } from '../world/world.js';
import { gated, openGate, type CallGate } from './gate.js';

const PAGE = 1000;

/** The EC2 port over the world: throttling, tag read lag and call counts as the Query API door has them. */
export class InProcessEc2 implements Ec2Port {
  constructor(
    private readonly world: World,
    private readonly gate: CallGate = openGate,
  ) {}

  private call<T>(action: string, kind: 'describe' | 'mutating', run: () => T): Promise<T> {
    return gated(
      this.gate,
      `ec2.${action}`,
      () => {
        this.world.counters.awsCall(action);
        try {
          this.world.ec2.admit(kind);
        } catch (error) {
          this.world.counters.awsThrottled();
          throw error;
        }
        return run();
      },
      this.world.latency('aws'),
    );
  }

  private instances(ids: readonly string[]): Instance[] {
    return ids.map((id) => {
      const instance = this.world.ec2.instances.get(id);
      if (!instance) throw new NotFoundError(`InvalidInstanceID.NotFound: ${id}`);
      return instance;
    });
  }

  listInstances(filter: InstanceFilter): Promise<FleetInstance[]> {
    return this.call('DescribeInstances', 'describe', () => {
      const all = this.world.ec2.list(filter);
      // One DescribeInstances call per page of ≤ 1000 (NextToken): count the extra pages.
      for (let n = PAGE; n < all.length; n += PAGE) this.world.counters.awsCall('DescribeInstances');
      return all;
    });
  }

  createTags(instanceIds: readonly string[], tags: Readonly<Record<string, string>>): Promise<void> {
    return this.call('CreateTags', 'mutating', () => {
      for (const instance of this.instances(instanceIds)) this.world.ec2.writeTags(instance, tags, 'control-plane');
    });
  }

  deleteTags(instanceIds: readonly string[], keys: readonly string[]): Promise<void> {
    return this.call('DeleteTags', 'mutating', () => {
      const removal: Record<string, undefined> = {};
      for (const key of keys) removal[key] = undefined;
      for (const instance of this.instances(instanceIds)) this.world.ec2.writeTags(instance, removal, 'control-plane');
    });
  }

  terminateInstances(instanceIds: readonly string[]): Promise<void> {
    return this.call('TerminateInstances', 'mutating', () => {
      for (const instance of this.instances(instanceIds)) this.world.ec2.terminate(instance, 'control-plane');
    });
  }

  createFleet(request: CreateFleetRequest): Promise<CreateFleetResult> {
    return this.call('CreateFleet', 'mutating', () => {
      if (request.overrides.length === 0) throw new PermanentError('CreateFleet: no launch template overrides');
      // An instance of a pool's launch template boots a runner and agent (the world's launch
      // templates); others (contract tests) are bare instances.
      const errors: { code: string; message: string }[] = [];
      const override = request.overrides.find((o) => {
        if (!this.world.ec2.exhausted.has(o.instanceType)) return true;
        errors.push({
          code: 'InsufficientInstanceCapacity',
          message: `no ${request.capacityType} capacity for ${o.instanceType}`,
        });
        return false;
      });
      const instanceIds: string[] = [];
      for (let i = 0; override && i < request.targetCapacity; i++) {
        const instance = this.world.ec2.launch({
          launchTemplateName: request.launchTemplateName,
          instanceType: override.instanceType,
          lifecycle: request.capacityType,
          tags: request.tags,
        });
        instanceIds.push(instance.id);
      }
      return { instanceIds, errors };
    });
  }
}
