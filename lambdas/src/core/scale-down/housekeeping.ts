import type { ScaleDownConfig } from '../../config/schema.js';
import { describeError } from '../../errors.js';
import type { Log, Metrics } from '../../observability/types.js';
import type { SsmPort } from '../../ports/index.js';

/**
 * A runner config must not outlive its instance (architecture.md §4, S2). The agent deletes
 * its config once it has read it, and scale-up deletes the config of a launch it undoes; what is
 * left (an instance that died before its agent ran, a recycle answered just before termination)
 * is swept here, once it is older than this grace period: scale-up writes a config right after
 * CreateFleet, and DescribeInstances may not list a new instance for a few seconds.
 */
export const RUNNER_CONFIG_GRACE_MS = 10 * 60_000;

const RUNNER_CONFIG_NAME = /^[a-z0-9-]{1,32}\/(i-[0-9a-f]{8,17})$/;

export interface SweepDeps {
  readonly ssm: Pick<SsmPort, 'listParameters' | 'deleteParameter'>;
  readonly config: Pick<ScaleDownConfig, 'runnerConfigPath'>;
  readonly log: Log;
  readonly metrics: Metrics;
}

/** Deletes runner configs whose instance is no longer live. Returns how many it deleted. */
export async function sweepRunnerConfigs(
  deps: SweepDeps,
  liveInstanceIds: ReadonlySet<string>,
  nowMs: number,
): Promise<number> {
  const path = deps.config.runnerConfigPath.replace(/\/+$/, '');
  // Values are secrets and never read: the listing is not decrypted (names and times only).
  const parameters = await deps.ssm.listParameters(path);
  let swept = 0;
  for (const parameter of parameters) {
    // `<path>/<pool>/<instance-id>` (runner-config.ts); anything else under the path is not ours to sweep.
    const match = RUNNER_CONFIG_NAME.exec(parameter.name.slice(path.length + 1));
    const instanceId = match?.[1];
    if (instanceId === undefined || liveInstanceIds.has(instanceId)) continue;
    if (nowMs - parameter.lastModifiedMs < RUNNER_CONFIG_GRACE_MS) continue;
    try {
      await deps.ssm.deleteParameter(parameter.name);
      swept += 1;
    } catch (error) {
      // Gone already (the agent or scale-up was faster) or refused: the next run tries again.
      deps.log.warn('runner config sweep failed', { instanceId, error: describeError(error).name });
    }
  }
  if (swept > 0) {
    deps.log.info('runner configs swept', { swept });
    deps.metrics.count('runnerConfigsSwept', swept);
  }
  return swept;
}
