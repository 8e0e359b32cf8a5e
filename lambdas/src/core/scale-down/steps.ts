import { NotFoundError } from '../../errors.js';
import { TAG } from '../tags.js';
import { observeInstance } from './observe.js';
import { restoreRunner } from './quarantine.js';
import type { RunState } from './run-state.js';
import { unregisteredWorkSignal } from './signals.js';
import type { PlannedAction } from './types.js';

export function attrs(action: PlannedAction): Record<string, unknown> {
  return {
    instanceId: action.instanceId,
    pool: action.pool,
    ...('runnerId' in action && action.runnerId !== undefined ? { runnerId: action.runnerId } : {}),
  };
}

/** Jobs wait in the pool: undo the quarantine first, then clear the mark (a crash in between is redone). */
export async function returnToService(run: RunState, action: Extract<PlannedAction, { kind: 'return-to-service' }>) {
  const { ports, config, log } = run.deps;
  const pool = config.pools[action.pool]!;
  const runnerId = action.runnerId;
  if (runnerId !== undefined) {
    try {
      await run.githubWrite(action.ownerKey, () => restoreRunner(ports.github, action.owner, runnerId, pool));
    } catch (error) {
      // Gone or taken by a job since the observation: nothing to restore; the mark is still cleared.
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
  await run.ec2Write(() => ports.ec2.deleteTags([action.instanceId], [TAG.lifecycle, TAG.fence]));
  run.count('returnedToService');
  run.returnedByPool.set(action.pool, (run.returnedByPool.get(action.pool) ?? 0) + 1);
  log.info('runner returned to service', attrs(action));
}

/**
 * Tags an orphan with the time (its last check follows after this run's settle wait, or on a
 * later run). Returns the terminate-orphan step that the last check will run.
 */
export async function tagOrphan(
  run: RunState,
  action: Extract<PlannedAction, { kind: 'tag-orphan' }>,
): Promise<Extract<PlannedAction, { kind: 'terminate-orphan' }>> {
  const orphanSinceMs = run.now();
  await run.ec2Write(() => run.deps.ports.ec2.createTags([action.instanceId], { [TAG.orphan]: String(orphanSinceMs) }));
  run.count('orphansTagged');
  run.deps.log.info('instance tagged orphan', attrs(action));
  const { kind: _kind, ...rest } = action;
  return { ...rest, kind: 'terminate-orphan', orphanSinceMs };
}

export async function clearOrphan(run: RunState, action: PlannedAction): Promise<void> {
  await run.ec2Write(() => run.deps.ports.ec2.deleteTags([action.instanceId], [TAG.orphan]));
  run.deps.log.info('orphan tag cleared', attrs(action));
}

/**
 * The orphan's last check: re-read its tags right before terminating. Anything that changed
 * since the tag (an agent write, evidence of a job, a lifecycle mark) spares it this run.
 */
export async function terminateOrphan(
  run: RunState,
  action: Extract<PlannedAction, { kind: 'terminate-orphan' }>,
): Promise<void> {
  const { ports, config, log } = run.deps;
  const [fresh] = await run.ec2(() =>
    ports.ec2.listInstances({ instanceIds: [action.instanceId], states: ['pending', 'running'] }),
  );
  if (fresh === undefined) return; // gone already
  const instance = observeInstance(fresh, config, () => undefined, run.now());
  const pool = config.pools[action.pool]!;
  const agent = instance.agent;
  const quiet =
    instance.lifecycle === undefined &&
    instance.orphanSinceMs === action.orphanSinceMs &&
    unregisteredWorkSignal(instance, run.now(), pool.maxJobDurationMinutes * 60_000) === undefined &&
    (agent === undefined || action.orphanSinceMs === 0 || agent.atMs <= action.orphanSinceMs);
  if (!quiet) {
    log.info('orphan showed life; kept', attrs(action));
    return;
  }
  await run.ec2Write(() => ports.ec2.terminateInstances([action.instanceId]));
  run.count('orphansTerminated');
  log.info('orphan terminated', attrs(action));
}
