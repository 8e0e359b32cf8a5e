import type { PoolConfig } from '../../config/schema.js';
import { describeError, TransientError } from '../../errors.js';
import type { FleetInstance } from '../../ports/index.js';
import { warmSize } from '../capacity/idle-quota.js';
import { decodeAgentState, decodeJobEvidence, decodeLifecycle, isSpotDoomed, TAG } from '../tags.js';
import { launchRunners } from './job.js';
import type { ScaleUpContext, ScaleUpDeps } from './types.js';

/**
 * Warm pools (upstream `pool_config`): once a minute, an EventBridge schedule invokes scale-up with
 * `WARM_POOL_EVENT`, and each pool whose warm rule matches the minute is topped up to its size with
 * JIT-registered runners, under its maximum. Scale-down keeps them idle through the same size
 * (`keepQuota`) and retires them through the protocol once no rule holds them.
 */
export const WARM_POOL_EVENT = { source: 'ghr.scheduler', task: 'warm-pools' } as const;

export function isWarmPoolEvent(event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const { source, task } = event as Record<string, unknown>;
  return source === WARM_POOL_EVENT.source && task === WARM_POOL_EVENT.task;
}

const MINUTE = 60_000;

/**
 * Whether an instance can take the pool's next job: not retiring (scale-down's), not warned of a
 * spot reclaim, no job on it by
 * the webhook's signed evidence (within the pool's longest job: a lost `completed` must not hold it
 * forever) nor by its agent, and on an ephemeral pool no job yet at all. Booting counts as ready:
 * it is on its way. The agent tag is the instance's own word (docs/threat-model.md): a runner lying
 * `idle` while busy is caught by the evidence; one lying `busy` only makes its own pool launch one
 * more runner, under the pool's maximum.
 */
export function isReadyForWork(instance: FleetInstance, pool: PoolConfig, nowMs: number): boolean {
  if (decodeLifecycle(instance.tags[TAG.lifecycle]) !== undefined) return false;
  // EC2 reclaims it within two minutes, or its pool drains it at a rebalance recommendation (spot.ts).
  if (isSpotDoomed(instance.tags)) return false;
  const evidence = decodeJobEvidence(instance.tags[TAG.jobEvidence]);
  if (pool.ephemeral && evidence !== undefined) return false;
  const running = evidence?.status === 'in_progress' && nowMs - evidence.atMs < pool.maxJobDurationMinutes * MINUTE;
  if (running) return false;
  const agent = decodeAgentState(instance.tags[TAG.agentState]);
  if (agent === undefined) return true;
  if (agent.state === 'busy') return false;
  // `exited`: a reusable instance between registrations comes back; an ephemeral one is ending.
  return agent.state === 'idle' || !pool.ephemeral;
}

export interface TopUpInput {
  /** The warm rule's size now (0: no rule matches). */
  readonly size: number;
  readonly ready: number;
  /** Instances of the pool pending or running, whatever their state. */
  readonly live: number;
  readonly maxRunners: number;
}

/** How many runners to launch: what the warm pool misses, never past the pool's maximum. */
export function topUpCount(input: TopUpInput): number {
  return Math.max(0, Math.min(input.size - input.ready, input.maxRunners - input.live));
}

export interface WarmPoolReport {
  readonly pools: readonly {
    readonly pool: string;
    readonly size: number;
    readonly ready: number;
    readonly launched: number;
    readonly error?: string;
  }[];
}

async function topUpPool(
  name: string,
  pool: PoolConfig,
  size: number,
  deps: ScaleUpDeps,
  ctx: ScaleUpContext,
): Promise<WarmPoolReport['pools'][number]> {
  const live = await deps.ec2.listInstances({
    tags: { [TAG.environment]: ctx.config.environment, [TAG.pool]: name },
    states: ['pending', 'running'],
  });
  const nowMs = deps.clock.now();
  const ready = live.filter((instance) => isReadyForWork(instance, pool, nowMs)).length;
  const count = topUpCount({ size, ready, live: live.length, maxRunners: pool.maxRunners });
  if (count === 0) return { pool: name, size, ready, launched: 0 };
  const runners = await launchRunners(name, pool, count, deps, ctx);
  const launched = runners.filter((r) => r.kind === 'ready').length;
  ctx.metrics.count('WarmPoolLaunched', launched);
  ctx.log.info('warm pool topped up', { pool: name, size, ready, launched });
  return { pool: name, size, ready, launched };
}

/**
 * One top-up of every warm pool. A pool whose top-up fails is logged and counted
 * (`WarmPoolTopUpFailed`) and the others go on; then the invocation fails, so the function's error
 * alarm counts it, and the next minute's run tries again (the schedule does not retry).
 */
export async function topUpWarmPools(deps: ScaleUpDeps, ctx: ScaleUpContext): Promise<WarmPoolReport> {
  const pools: WarmPoolReport['pools'][number][] = [];
  const nowMs = deps.clock.now();
  for (const [name, pool] of Object.entries(ctx.config.pools)) {
    const size = warmSize(pool.warmPool, nowMs);
    if (size === 0) continue;
    try {
      pools.push(await topUpPool(name, pool, size, deps, ctx));
    } catch (error) {
      ctx.metrics.count('WarmPoolTopUpFailed');
      ctx.log.error('warm pool top-up failed', { pool: name, size, error: describeError(error) });
      pools.push({ pool: name, size, ready: 0, launched: 0, error: describeError(error).name });
    }
  }
  const failed = pools.filter((p) => p.error !== undefined).map((p) => p.pool);
  if (failed.length > 0) throw new WarmPoolError(failed, { pools });
  return { pools };
}

/** Some pools could not be topped up (the others were); carries the whole report. */
export class WarmPoolError extends TransientError {
  constructor(
    readonly failedPools: readonly string[],
    readonly report: WarmPoolReport,
  ) {
    super(`warm pool top-up failed for ${failedPools.join(', ')}`);
  }
}
