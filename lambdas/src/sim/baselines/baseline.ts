import type { ScaleDownConfig } from '../../config/schema.js';
import { ConflictError, NotFoundError, describeError } from '../../errors.js';
import { idleQuota, splitByQuota } from '../../core/capacity/idle-quota.js';
import { observeFleet } from '../../core/scale-down/observe.js';
import type { FleetObservation, ObservedInstance } from '../../core/scale-down/types.js';
import type { ScaleDownContext, ScaleDownReport } from '../../core/strategy.js';
import { TAG } from '../../core/tags.js';

/**
 * What the upstream-style baselines share, written from public descriptions of the upstream
 * module's scale-down (not its code): GitHub's REST `busy` flag is the only idle signal; the
 * idle quota and minimum running time as upstream; orphans (no registration after the boot
 * time) are tagged on one run and terminated on the next. No lease, no agent, no quarantine.
 */
export interface BaselineSelection {
  /** Registered, REST not busy, past minimum running time, beyond the idle quota. */
  readonly surplus: readonly ObservedInstance[];
  /** Registered and REST busy. */
  readonly busy: readonly ObservedInstance[];
  readonly orphansToTag: readonly ObservedInstance[];
  readonly orphansToTerminate: readonly ObservedInstance[];
}

export function selectByRest(observation: FleetObservation, config: ScaleDownConfig, nowMs: number): BaselineSelection {
  const idleByPool = new Map<string, ObservedInstance[]>();
  const busy: ObservedInstance[] = [];
  const orphansToTag: ObservedInstance[] = [];
  const orphansToTerminate: ObservedInstance[] = [];
  for (const instance of observation.instances) {
    const pool = instance.pool === undefined ? undefined : config.pools[instance.pool];
    if (pool === undefined || instance.bypassRemoval || !instance.registrationKnown) continue;
    const age = nowMs - instance.launchTimeMs;
    if (instance.runner === undefined) {
      if (age < pool.bootTimeoutMinutes * 60_000) continue;
      (instance.orphanSinceMs === undefined ? orphansToTag : orphansToTerminate).push(instance);
      continue;
    }
    if (instance.runner.busy) {
      busy.push(instance);
      continue;
    }
    if (age < pool.minimumRunningTimeMinutes * 60_000) continue;
    idleByPool.set(instance.pool!, [...(idleByPool.get(instance.pool!) ?? []), instance]);
  }
  const surplus: ObservedInstance[] = [];
  for (const [name, idle] of idleByPool) {
    surplus.push(...splitByQuota(idle, idleQuota(config.pools[name]!.idleConfig, nowMs)).surplus);
  }
  return { surplus, busy, orphansToTag, orphansToTerminate };
}

/** Outcome of one baseline's handling of one surplus runner. */
export type BaselineOutcome = 'terminated' | 'skipped' | 'waiting';

/**
 * A baseline run: observe, select, handle orphans the upstream way, then `retire` each surplus
 * runner one at a time. Port errors on one instance are logged and the run continues.
 */
export async function runBaseline(
  context: ScaleDownContext,
  retire: (instance: ObservedInstance, nowMs: number) => Promise<BaselineOutcome>,
  onBusy?: (instance: ObservedInstance) => Promise<void>,
): Promise<ScaleDownReport> {
  const { ports, config, log, metrics } = context;
  const observation = await observeFleet(ports, config, log);
  const nowMs = observation.observedAtMs;
  const selection = selectByRest(observation, config, nowMs);
  let retired = 0;
  let skippedBusy = selection.busy.length;
  let orphansTerminated = 0;
  const attempt = async (instance: ObservedInstance, step: () => Promise<void>) => {
    try {
      await step();
    } catch (error) {
      log.warn('baseline step failed', { instanceId: instance.instanceId, error: describeError(error) });
    }
  };
  for (const instance of selection.orphansToTag) {
    await attempt(instance, () => ports.ec2.createTags([instance.instanceId], { [TAG.orphan]: String(nowMs) }));
  }
  for (const instance of selection.orphansToTerminate) {
    await attempt(instance, async () => {
      await ports.ec2.terminateInstances([instance.instanceId]);
      orphansTerminated += 1;
      metrics.count('orphansTerminated');
    });
  }
  if (onBusy) for (const instance of selection.busy) await attempt(instance, () => onBusy(instance));
  for (const instance of selection.surplus) {
    await attempt(instance, async () => {
      const outcome = await retire(instance, nowMs);
      if (outcome === 'terminated') {
        retired += 1;
        metrics.count('retired');
        log.info('runner retired', { instanceId: instance.instanceId, runnerId: instance.runner?.id });
      } else if (outcome === 'skipped') {
        skippedBusy += 1;
        metrics.count('skippedBusy.rest');
      }
    });
  }
  return { retired, quarantined: 0, returnedToService: 0, skippedBusy, orphansTerminated, leaseHeld: false };
}

/** DELETE the registration: true when deleted (or already gone), false when GitHub held it busy (422). */
export async function deregister(context: ScaleDownContext, instance: ObservedInstance): Promise<boolean | 'gone'> {
  const runner = instance.runner!;
  try {
    await context.ports.github.deleteRunner(instance.owner!, runner.id);
    return true;
  } catch (error) {
    if (error instanceof ConflictError) return false;
    if (error instanceof NotFoundError) return 'gone';
    throw error;
  }
}
