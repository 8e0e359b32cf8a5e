import type { PoolConfig } from '../../config/schema.js';
import { idleQuota } from '../../core/capacity/idle-quota.js';
import { ConflictError, NotFoundError, describeError } from '../../errors.js';
import type { FleetInstance, GitHubRunner, RunnerOwner } from '../../ports/index.js';
import { ownerKey, parseOwner } from '../../ports/index.js';
import type { ScaleDownContext, ScaleDownReport, ScaleDownStrategy } from '../../core/strategy.js';
import { TAG } from '../../core/tags.js';

/**
 * The baseline: the upstream module's scale-down as its public description has it
 * (philips-labs/terraform-aws-github-runner README, "scale-down"): list the runners per owner;
 * for each instance past its minimum running time and beyond the idle quota, ask GitHub
 * whether the runner is busy; if not, deregister it (a 422 means busy: skip) and terminate
 * the instance. Instances not registered after the boot timeout are orphans: terminated.
 *
 * It trusts GitHub's `busy` flag alone, which lags assignment and can read false mid-job
 * (world-model.md); the simulator shows what that costs.
 */
const APPLICATION = 'github-action-runner';

function poolOf(instance: FleetInstance, pools: Readonly<Record<string, PoolConfig>>): PoolConfig | undefined {
  const name = instance.tags[TAG.pool];
  if (name !== undefined && pools[name]) return pools[name];
  return Object.values(pools).find((pool) => pool.owner === instance.tags[TAG.owner]);
}

export const naiveStrategy: ScaleDownStrategy = {
  name: 'naive',
  async run({ ports, config, log }: ScaleDownContext): Promise<ScaleDownReport> {
    const now = ports.clock.now();
    const report = {
      retired: 0,
      quarantined: 0,
      returnedToService: 0,
      skippedBusy: 0,
      orphansTerminated: 0,
      leaseHeld: false,
    };
    const instances = await ports.ec2.listInstances({
      tags: { [TAG.environment]: config.environment, [TAG.application]: APPLICATION },
      states: ['pending', 'running'],
    });
    const owners = new Map<string, { owner: RunnerOwner; instances: FleetInstance[] }>();
    for (const instance of instances) {
      const value = instance.tags[TAG.owner];
      if (value === undefined || instance.tags[TAG.bypassRemoval] !== undefined) continue;
      const owner = parseOwner(value);
      const entry = owners.get(ownerKey(owner)) ?? { owner, instances: [] };
      entry.instances.push(instance);
      owners.set(ownerKey(owner), entry);
    }
    const quotas = new Map<PoolConfig, number>();
    for (const { owner, instances: ownerInstances } of owners.values()) {
      let runners: GitHubRunner[];
      try {
        runners = await ports.github.listRunners(owner);
      } catch (error) {
        log.warn('list runners failed', { owner: ownerKey(owner), error: describeError(error) });
        continue;
      }
      const byName = new Map(runners.map((runner) => [runner.name, runner]));
      // Upstream's default eviction is oldest first: the newest idle runners fill the quota.
      const sorted = [...ownerInstances].sort((a, b) => b.launchTimeMs - a.launchTimeMs);
      for (const instance of sorted) {
        const pool = poolOf(instance, config.pools);
        if (!pool) continue;
        const runner = byName.get(instance.instanceId);
        try {
          if (!runner) {
            if (now - instance.launchTimeMs > pool.bootTimeoutMinutes * 60_000) {
              await ports.ec2.terminateInstances([instance.instanceId]);
              report.orphansTerminated++;
              log.info('orphan terminated', { instanceId: instance.instanceId });
            }
            continue;
          }
          if (now - instance.launchTimeMs < pool.minimumRunningTimeMinutes * 60_000 || runner.busy) continue;
          if (!quotas.has(pool)) quotas.set(pool, idleQuota(pool.idleConfig, now).idleCount);
          const quota = quotas.get(pool) ?? 0;
          if (quota > 0) {
            quotas.set(pool, quota - 1);
            continue;
          }
          const fresh = await ports.github.getRunner(owner, runner.id);
          if (fresh.busy) {
            report.skippedBusy++;
            continue;
          }
          await ports.github.deleteRunner(owner, runner.id);
          await ports.ec2.terminateInstances([instance.instanceId]);
          report.retired++;
          log.info('runner retired', { instanceId: instance.instanceId, runnerId: runner.id });
        } catch (error) {
          if (error instanceof ConflictError || error instanceof NotFoundError) {
            report.skippedBusy++;
            continue;
          }
          log.warn('scale-down step failed', { instanceId: instance.instanceId, error: describeError(error) });
        }
      }
    }
    return report;
  },
};
