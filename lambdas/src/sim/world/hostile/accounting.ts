import type { PoolConfig, ScaleDownConfig } from '../../../config/schema.js';
import { BOUND_MARGIN_MS } from '../../../core/scale-down/verdict.js';
import type { World } from '../world.js';
import type { HostileCounts } from './counts.js';

/** The acting runs' own calls (observation, quarantine, re-check, DELETE, terminate). */
export const RUN_CALLS_MS = 60_000;

/** What `--json` prints under `hostileAttempts`: the attempts, then what the control plane let happen. */
export interface HostileAccounting extends HostileCounts {
  readonly hostileInstances: number;
  readonly tactics: Readonly<Record<string, number>>;
  /** Jobs killed (any cause but spot) on instances that are not hostile: must stay 0. */
  readonly honestJobsKilled: number;
  /** Jobs on hostile instances that did not complete: a liar may waste its own instance. */
  readonly hostileJobsKilled: number;
  /** JIT registrations made for an instance that still held a live one, by whether it was hostile. */
  readonly extraRegistrations: { readonly honest: number; readonly hostile: number };
  readonly launchesOverMax: number;
  readonly maxLiveByPool: Readonly<Record<string, { readonly max: number; readonly maxRunners: number }>>;
  /** Instances that outlived launch + maximum lifetime + retirement bound (`hardBoundMs`): must stay 0. */
  readonly instancesPastHardBound: number;
  readonly hostileAliveAtEnd: number;
}

/**
 * L4 of docs/safety.md, the last moment an instance may still exist whatever its agent writes:
 * scale-down marks and quarantines it at the first run past its maximum lifetime (within one
 * period), and guarantee 2's bound from that quarantine ends it — the retirement bound (settle +
 * maxJob + margin, verdict.ts `retirementBoundMs`), one period for the acting run, that run's own
 * settle wait, and the runs' calls.
 */
export function hardBoundMs(
  launchMs: number,
  pool: PoolConfig,
  config: Pick<ScaleDownConfig, 'settleSeconds'>,
  scheduleMinutes: number,
  lifetimeHours: number,
): number {
  const retirement = 2 * config.settleSeconds * 1000 + pool.maxJobDurationMinutes * 60_000 + BOUND_MARGIN_MS;
  return launchMs + lifetimeHours * 3_600_000 + retirement + 2 * scheduleMinutes * 60_000 + RUN_CALLS_MS;
}

/** Instances past their hard bound at the end of the run (terminated after it, or still there). */
export function pastHardBound(
  world: World,
  config: ScaleDownConfig,
  scheduleMinutes: number,
  /** The lifetime the bound is computed with (default: the pool's `maximumLifetimeHours`). */
  lifetimeHours?: (pool: string) => number,
): { readonly instanceId: string; readonly hostile: boolean; readonly overMs: number }[] {
  const past: { instanceId: string; hostile: boolean; overMs: number }[] = [];
  for (const instance of world.ec2.instances.values()) {
    const pool = config.pools[instance.pool];
    if (pool === undefined) continue;
    const hours = lifetimeHours ? lifetimeHours(instance.pool) : pool.maximumLifetimeHours;
    const bound = hardBoundMs(instance.launchMs, pool, config, scheduleMinutes, hours);
    const end = instance.terminatedMs ?? world.now;
    if (end > bound) {
      past.push({
        instanceId: instance.id,
        hostile: world.hostile?.tactics.has(instance.id) ?? false,
        overMs: end - bound,
      });
    }
  }
  return past;
}

export function hostileAccounting(
  world: World,
  config: ScaleDownConfig,
  scheduleMinutes: number,
): HostileAccounting | undefined {
  const model = world.hostile;
  if (model === undefined) return undefined;
  const tactics: Record<string, number> = {};
  for (const tactic of model.tactics.values()) tactics[tactic] = (tactics[tactic] ?? 0) + 1;
  let honestJobsKilled = 0;
  let hostileJobsKilled = 0;
  for (const job of world.github.jobs.values()) {
    if (job.status !== 'killed' || job.cause === 'spot' || job.instanceId === undefined) continue;
    if (model.tactics.has(job.instanceId)) hostileJobsKilled++;
    else honestJobsKilled++;
  }
  const maxLiveByPool: Record<string, { max: number; maxRunners: number }> = {};
  for (const [name, pool] of [...world.pools].sort(([a], [b]) => (a < b ? -1 : 1))) {
    maxLiveByPool[name] = { max: model.maxLive.get(name) ?? 0, maxRunners: pool.config.maxRunners };
  }
  const alive = world.ec2.live().filter((i) => model.tactics.has(i.id)).length;
  return {
    ...model.settle(),
    hostileInstances: model.tactics.size,
    tactics,
    honestJobsKilled,
    hostileJobsKilled,
    extraRegistrations: {
      honest: model.extraRegistrations.filter((e) => !e.hostile).length,
      hostile: model.extraRegistrations.filter((e) => e.hostile).length,
    },
    launchesOverMax: model.launchesOverMax,
    maxLiveByPool,
    instancesPastHardBound: pastHardBound(world, config, scheduleMinutes).length,
    hostileAliveAtEnd: alive,
  };
}
