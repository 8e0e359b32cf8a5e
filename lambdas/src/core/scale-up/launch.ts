import type { PoolConfig, ScaleUpConfig } from '../../config/schema.js';
import { CapacityError, PermanentError, RateLimitedError } from '../../errors.js';
import type { CreateFleetResult, Ec2Port } from '../../ports/index.js';
import { TAG } from '../tags.js';

/** The `ghr:Application` value upstream writes; kept so fleets can migrate (architecture.md §6). */
export const APPLICATION = 'github-action-runner';

/** The tags every instance of the pool carries from launch: what scale-down and IAM conditions filter on. */
export function fleetTags(
  config: Pick<ScaleUpConfig, 'environment' | 'extraTags'>,
  poolName: string,
  pool: Pick<PoolConfig, 'owner' | 'ownerType' | 'instanceTags'>,
): Record<string, string> {
  return {
    ...config.extraTags,
    ...pool.instanceTags,
    [TAG.environment]: config.environment,
    [TAG.application]: APPLICATION,
    [TAG.owner]: pool.owner,
    [TAG.type]: pool.ownerType === 'org' ? 'Org' : 'Repo',
    [TAG.pool]: poolName,
  };
}

/**
 * CreateFleet error codes that mean "no capacity of this kind now" (EC2 Fleet docs, "EC2 Fleet
 * error codes"; upstream's scale-up uses the same list to decide on-demand failover).
 */
const CAPACITY_CODES = new Set([
  'InsufficientInstanceCapacity',
  'InsufficientCapacity',
  'UnfulfillableCapacity',
  'MaxSpotInstanceCountExceeded',
  'SpotMaxPriceTooLow',
  'InsufficientFreeAddressesInSubnet',
]);
const RATE_CODES = new Set(['RequestLimitExceeded', 'Throttling']);

export interface Launched {
  readonly instanceIds: readonly string[];
  readonly capacityType: 'spot' | 'on-demand';
}

/** Turns an empty CreateFleet result into the error a caller can classify. */
function noInstances(result: CreateFleetResult, capacityType: string): Error {
  const codes = [...new Set(result.errors.map((e) => e.code))];
  const summary = `CreateFleet (${capacityType}) launched nothing: ${codes.join(', ') || 'no error reported'}`;
  if (codes.some((c) => RATE_CODES.has(c))) return new RateLimitedError(summary);
  if (codes.length === 0 || codes.some((c) => CAPACITY_CODES.has(c))) return new CapacityError(summary);
  return new PermanentError(summary);
}

async function tryFleet(
  ec2: Pick<Ec2Port, 'createFleet'>,
  pool: PoolConfig,
  capacityType: 'spot' | 'on-demand',
  count: number,
  tags: Record<string, string>,
): Promise<Launched> {
  const result = await ec2.createFleet({
    launchTemplateName: pool.launchTemplateName,
    overrides: pool.instanceTypes.flatMap((instanceType) =>
      pool.subnetIds.map((subnetId) => ({ instanceType, subnetId })),
    ),
    targetCapacity: count,
    capacityType,
    ...(capacityType === 'spot'
      ? { spotAllocationStrategy: pool.spotAllocationStrategy }
      : { onDemandAllocationStrategy: 'lowest-price' }),
    tags,
  });
  if (result.instanceIds.length === 0) throw noInstances(result, capacityType);
  return { instanceIds: result.instanceIds, capacityType };
}

/**
 * Launches `count` instances with an instant fleet over instance types × subnets. A spot pool
 * with `onDemandFallback` retries on-demand when spot has no capacity (and only then: a bad
 * launch template fails the same way on-demand). A partial launch is returned as is.
 */
export async function launchInstances(
  ec2: Pick<Ec2Port, 'createFleet'>,
  pool: PoolConfig,
  count: number,
  tags: Record<string, string>,
): Promise<Launched> {
  try {
    return await tryFleet(ec2, pool, pool.capacityType, count, tags);
  } catch (error) {
    if (!(error instanceof CapacityError) || pool.capacityType !== 'spot' || !pool.onDemandFallback) throw error;
    return tryFleet(ec2, pool, 'on-demand', count, tags);
  }
}
