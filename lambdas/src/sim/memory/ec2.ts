/**
 * A deterministic in-memory Ec2Port. Instance state is a function of the clock (world-model.md, EC2
 * rows): `pending` for `bootMs` after launch, then `running`; TerminateInstances gives `shutting-down`
 * for `shutdownMs`, then `terminated`, visible for `terminatedRetentionMs` before it disappears.
 */
import { NotFoundError } from '../../errors.js';
import type {
  Clock,
  CreateFleetRequest,
  CreateFleetResult,
  Ec2Port,
  FleetInstance,
  InstanceFilter,
  InstanceState,
} from '../../ports/index.js';

export interface InMemoryEc2Options {
  readonly bootMs?: number;
  readonly shutdownMs?: number;
  /** EC2 keeps terminated instances visible for about an hour (EC2 user guide, "Terminate instances"). */
  readonly terminatedRetentionMs?: number;
}

interface StoredInstance {
  readonly instanceId: string;
  readonly instanceType: string;
  readonly subnetId: string;
  readonly lifecycle: 'spot' | 'on-demand';
  readonly launchTimeMs: number;
  tags: Record<string, string>;
  terminatedAtMs?: number;
}

export class InMemoryEc2 implements Ec2Port {
  private readonly instances = new Map<string, StoredInstance>();
  /** `instanceType` or `instanceType/subnetId` without capacity. */
  private readonly exhausted = new Set<string>();
  private nextId = 1;
  private readonly bootMs: number;
  private readonly shutdownMs: number;
  private readonly retentionMs: number;

  constructor(
    private readonly clock: Clock,
    options: InMemoryEc2Options = {},
  ) {
    this.bootMs = options.bootMs ?? 30_000;
    this.shutdownMs = options.shutdownMs ?? 60_000;
    this.retentionMs = options.terminatedRetentionMs ?? 3_600_000;
  }

  /** Makes CreateFleet report InsufficientInstanceCapacity for a type (optionally in one subnet only). */
  exhaustCapacity(instanceType: string, subnetId?: string): void {
    this.exhausted.add(subnetId === undefined ? instanceType : `${instanceType}/${subnetId}`);
  }

  restoreCapacity(): void {
    this.exhausted.clear();
  }

  /**
   * Test setup: an instance as if launched at `launchTimeMs` (CreateFleet launches only now), with
   * the id and tags a test chooses. Its state then follows the clock like any other's.
   */
  addInstance(instance: {
    readonly instanceId: string;
    readonly launchTimeMs: number;
    readonly tags?: Readonly<Record<string, string>>;
    readonly instanceType?: string;
    readonly subnetId?: string;
    readonly lifecycle?: 'spot' | 'on-demand';
  }): void {
    if (this.instances.has(instance.instanceId)) throw new Error(`instance ${instance.instanceId} exists already`);
    this.instances.set(instance.instanceId, {
      instanceId: instance.instanceId,
      instanceType: instance.instanceType ?? 'm7g.large',
      subnetId: instance.subnetId ?? 'subnet-0abc',
      lifecycle: instance.lifecycle ?? 'spot',
      launchTimeMs: instance.launchTimeMs,
      tags: { ...instance.tags },
    });
  }

  private stateOf(record: StoredInstance, now: number): InstanceState | undefined {
    if (record.terminatedAtMs !== undefined) {
      const since = now - record.terminatedAtMs;
      if (since < this.shutdownMs) return 'shutting-down';
      return since < this.shutdownMs + this.retentionMs ? 'terminated' : undefined;
    }
    return now - record.launchTimeMs < this.bootMs ? 'pending' : 'running';
  }

  private view(record: StoredInstance, state: InstanceState): FleetInstance {
    return {
      instanceId: record.instanceId,
      state,
      launchTimeMs: record.launchTimeMs,
      instanceType: record.instanceType,
      lifecycle: record.lifecycle,
      tags: { ...record.tags },
    };
  }

  async listInstances(filter: InstanceFilter): Promise<FleetInstance[]> {
    const now = this.clock.now();
    const found: FleetInstance[] = [];
    for (const record of this.instances.values()) {
      const state = this.stateOf(record, now);
      if (state === undefined) continue;
      if (filter.states !== undefined && !filter.states.includes(state)) continue;
      if (filter.instanceIds !== undefined && !filter.instanceIds.includes(record.instanceId)) continue;
      if (!Object.entries(filter.tags ?? {}).every(([k, v]) => record.tags[k] === v)) continue;
      if (!(filter.tagKeys ?? []).every((k) => Object.hasOwn(record.tags, k))) continue;
      found.push(this.view(record, state));
    }
    return found;
  }

  /** Like EC2, one unknown id fails the whole call before anything changes. */
  private resolve(instanceIds: readonly string[]): StoredInstance[] {
    const now = this.clock.now();
    return instanceIds.map((id) => {
      const record = this.instances.get(id);
      if (record === undefined || this.stateOf(record, now) === undefined) {
        throw new NotFoundError(`The instance ID '${id}' does not exist`);
      }
      return record;
    });
  }

  async createTags(instanceIds: readonly string[], tags: Readonly<Record<string, string>>): Promise<void> {
    for (const record of this.resolve(instanceIds)) record.tags = { ...record.tags, ...tags };
  }

  async deleteTags(instanceIds: readonly string[], keys: readonly string[]): Promise<void> {
    for (const record of this.resolve(instanceIds)) {
      const next = { ...record.tags };
      for (const key of keys) delete next[key];
      record.tags = next;
    }
  }

  async terminateInstances(instanceIds: readonly string[]): Promise<void> {
    const now = this.clock.now();
    for (const record of this.resolve(instanceIds)) record.terminatedAtMs ??= now;
  }

  private hasCapacity(instanceType: string, subnetId: string): boolean {
    return !this.exhausted.has(instanceType) && !this.exhausted.has(`${instanceType}/${subnetId}`);
  }

  /** Fills the target from the first override with capacity (like `prioritized`); one error per exhausted override. */
  async createFleet(request: CreateFleetRequest): Promise<CreateFleetResult> {
    const errors: { code: string; message: string }[] = [];
    const usable = request.overrides.filter((o) => {
      if (this.hasCapacity(o.instanceType, o.subnetId)) return true;
      errors.push({
        code: 'InsufficientInstanceCapacity',
        message: `There is no ${request.capacityType} capacity for ${o.instanceType} in ${o.subnetId}`,
      });
      return false;
    });
    const chosen = usable[0];
    if (chosen === undefined) return { instanceIds: [], errors };
    const instanceIds: string[] = [];
    for (let i = 0; i < request.targetCapacity; i++) {
      const instanceId = `i-${(this.nextId++).toString(16).padStart(17, '0')}`;
      this.instances.set(instanceId, {
        instanceId,
        instanceType: chosen.instanceType,
        subnetId: chosen.subnetId,
        lifecycle: request.capacityType,
        launchTimeMs: this.clock.now(),
        tags: { ...request.tags },
      });
      instanceIds.push(instanceId);
    }
    return { instanceIds, errors };
  }
}
