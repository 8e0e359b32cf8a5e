/**
 * The EC2 port: the fleet's instances and their tags. Implemented with AWS SDK v3 and by the simulator.
 * Errors: NotFoundError (unknown instance), RateLimitedError (RequestLimitExceeded),
 * CapacityError (no capacity), TransientError (5xx), PermanentError (anything else).
 */

export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export interface FleetInstance {
  readonly instanceId: string;
  readonly state: InstanceState;
  readonly launchTimeMs: number;
  readonly instanceType: string;
  readonly lifecycle: 'spot' | 'on-demand';
  readonly tags: Readonly<Record<string, string>>;
}

/** DescribeInstances filters we use; every given field must match (AND). */
export interface InstanceFilter {
  /** `tag:K = V` for each entry. */
  readonly tags?: Readonly<Record<string, string>>;
  /** `tag-key`: the instance carries each of these keys. */
  readonly tagKeys?: readonly string[];
  readonly states?: readonly InstanceState[];
  readonly instanceIds?: readonly string[];
}

export interface FleetOverride {
  readonly instanceType: string;
  readonly subnetId: string;
}

export interface CreateFleetRequest {
  readonly launchTemplateName: string;
  readonly launchTemplateVersion?: string;
  readonly overrides: readonly FleetOverride[];
  readonly targetCapacity: number;
  readonly capacityType: 'spot' | 'on-demand';
  /** Spot: `price-capacity-optimized` unless configured otherwise. */
  readonly spotAllocationStrategy?: string;
  readonly onDemandAllocationStrategy?: string;
  /** Tags for the instances (and their volumes). */
  readonly tags: Readonly<Record<string, string>>;
}

export interface CreateFleetResult {
  readonly instanceIds: readonly string[];
  /** Per-override errors EC2 reported (e.g. InsufficientInstanceCapacity). */
  readonly errors: readonly { readonly code: string; readonly message: string }[];
}

export interface Ec2Port {
  /** All matching instances, all pages. */
  listInstances(filter: InstanceFilter): Promise<FleetInstance[]>;
  createTags(instanceIds: readonly string[], tags: Readonly<Record<string, string>>): Promise<void>;
  deleteTags(instanceIds: readonly string[], keys: readonly string[]): Promise<void>;
  terminateInstances(instanceIds: readonly string[]): Promise<void>;
  /** CreateFleet of type `instant`. */
  createFleet(request: CreateFleetRequest): Promise<CreateFleetResult>;
}
