import { describeError, NotFoundError } from '../../errors.js';
import type { FleetInstance } from '../../ports/index.js';
import { idleQuota } from '../capacity/index.js';
import { decodeAgentState, decodeLifecycle, TAG } from '../tags.js';
import type { RecycleMessage } from './messages.js';
import {
  configParameterName,
  decodeRunnerConfigReady,
  provisionRunnerConfig,
  RUNNER_CONFIG_TAG,
} from './runner-config.js';
import type { Outcome, ScaleUpContext, ScaleUpDeps } from './types.js';

/**
 * Recycle requests of reusable pools (architecture.md §3): the one-job runner of a warm instance
 * has exited, its JIT registration is consumed, and its agent asks for another. The instance
 * has no registration now, so terminating it loses nothing; giving it a fresh JIT config keeps
 * it warm. The choice is the capacity rule scale-down uses for its idle quota.
 */

export interface RecycleInput {
  /** Messages waiting in the pool's queue (visible + delayed): jobs not yet served. */
  readonly waitingJobs: number;
  /** The pool's idle quota now (`idleConfig`, the capacity function shared with scale-down). */
  readonly idleQuota: number;
  /** Other instances of the pool whose agent reports `idle` and that are not retiring. */
  readonly idleInPool: number;
}

export type RecycleDecision = 'reuse' | 'terminate';

/**
 * Reuse when a job waits or the pool is short of its idle quota; otherwise the instance is
 * surplus. Over-counting waiting jobs (the queue also holds other recycle requests) errs
 * towards keeping an instance, which scale-down retires safely later; under-counting would
 * only cost a launch.
 */
export function decideRecycle(input: RecycleInput): RecycleDecision {
  if (input.waitingJobs > 0) return 'reuse';
  return input.idleInPool < input.idleQuota ? 'reuse' : 'terminate';
}

/**
 * Whether the request is current. A request is acted on only while the instance's agent reports
 * `exited` and no config was announced since that exit: a duplicate or late message (SQS is at
 * least once) must never terminate an instance whose runner took a new registration.
 */
export function recycleStaleReason(instance: FleetInstance): string | undefined {
  if (decodeLifecycle(instance.tags[TAG.lifecycle]) !== undefined) return 'retiring';
  const state = decodeAgentState(instance.tags[TAG.agentState]);
  if (state?.state !== 'exited') return 'runner_not_exited';
  const readyMs = decodeRunnerConfigReady(instance.tags[RUNNER_CONFIG_TAG]);
  if (readyMs !== undefined && readyMs >= state.atMs) return 'already_answered';
  return undefined;
}

function isIdle(instance: FleetInstance): boolean {
  return (
    decodeLifecycle(instance.tags[TAG.lifecycle]) === undefined &&
    decodeAgentState(instance.tags[TAG.agentState])?.state === 'idle'
  );
}

export async function processRecycle(
  message: RecycleMessage,
  deps: ScaleUpDeps,
  ctx: ScaleUpContext,
): Promise<Outcome> {
  const { config, log, metrics } = ctx;
  const pool = config.pools[message.pool];
  const base = { kind: 'recycle', instanceId: message.instanceId, pool: message.pool };
  if (pool === undefined || pool.ephemeral) return { kind: 'drop', reason: pool ? 'ephemeral_pool' : 'unknown_pool' };

  const poolInstances = await deps.ec2.listInstances({
    tags: { [TAG.environment]: config.environment, [TAG.pool]: message.pool },
    states: ['pending', 'running'],
  });
  const instance = poolInstances.find((i) => i.instanceId === message.instanceId);
  if (instance === undefined || instance.state !== 'running') return { kind: 'drop', reason: 'instance_gone' };
  const stale = recycleStaleReason(instance);
  if (stale !== undefined) return { kind: 'drop', reason: stale };

  const depth = await deps.sqs.getQueueDepth(pool.queueUrl);
  const input: RecycleInput = {
    waitingJobs: depth.visible + depth.delayed,
    idleQuota: idleQuota(pool.idleConfig, deps.clock.now()).idleCount,
    idleInPool: poolInstances.filter((i) => i.instanceId !== instance.instanceId && isIdle(i)).length,
  };
  const decision = decideRecycle(input);
  log.info('recycle decision', { ...base, decision, ...input });

  if (decision === 'reuse') {
    try {
      await provisionRunnerConfig(deps, ctx, message.pool, pool, instance.instanceId);
    } catch (error) {
      // Undone already; the instance stays warm without a registration and the retry decides again.
      log.warn('recycle registration failed', { ...base, error: describeError(error) });
      return { kind: 'retry', reason: 'registration_failed' };
    }
    metrics.count('ScaleUpRecycled');
    return { kind: 'done' };
  }

  await deps.ec2.terminateInstances([instance.instanceId]);
  metrics.count('ScaleUpRecycleTerminated');
  // The agent deleted the config it used; a leftover would only be housekeeping's work.
  await deps.ssm
    .deleteParameter(configParameterName(config.runnerConfigPath, message.pool, instance.instanceId))
    .catch((error: unknown) => {
      if (!(error instanceof NotFoundError))
        log.warn('runner config cleanup failed', { ...base, error: describeError(error) });
    });
  return { kind: 'done' };
}
