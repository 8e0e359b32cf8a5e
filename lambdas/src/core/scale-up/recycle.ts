import type { PoolConfig } from '../../config/schema.js';
import { describeError, NotFoundError } from '../../errors.js';
import type { FleetInstance } from '../../ports/index.js';
import { isPastLifetime } from '../lifetime.js';
import { decodeAgentState, decodeLifecycle, isSpotDoomed, TAG } from '../tags.js';
import type { RecycleMessage } from './messages.js';
import { preparedRunnerName } from '../runner-name.js';
import {
  PREVIOUS_RUNNER_TAG,
  RUNNER_CONFIG_TAG,
  configParameterName,
  decodeRunnerConfigReady,
  provisionRunnerConfig,
  runnerOwner,
} from './runner-config.js';
import type { Outcome, ScaleUpContext, ScaleUpDeps } from './types.js';

/**
 * Recycle requests of reusable pools (architecture.md §3): the one-job runner of a warm instance
 * has taken its job, its JIT registration is consumed, and its agent asks for the next one. A warm
 * instance waiting for work is what makes a reusable pool start jobs in seconds, so the answer is a
 * fresh JIT config; scale-down retires surplus warm runners through the protocol when the pool's idle
 * policy says so (minimum running time, idle quota). The answer terminates only what scale-down
 * would end anyway: an instance over the pool's maximum, past its maximum lifetime (the hard
 * bound), or one EC2 is about to reclaim or its pool drains (spot.ts); between jobs nothing runs on
 * it, so no protocol is needed. A marked instance is scale-down's alone (one writer): its request
 * is dropped.
 *
 * The agent asks twice per job: once its job has started (`busy`), so the next registration waits in
 * SSM when the runner exits and the instance is back at work after the runner's restart alone, not
 * after a round trip through the queue and instance metadata (about 19 s → 8 s a job in the
 * simulator, `npm start -- --json`); and after the exit, when no prepared registration came (the
 * `busy` request was dropped, or lost). A registration prepared ahead never terminates anything: a
 * job runs; the exit's request decides that.
 *
 * The request comes from the instance, so it is hostile input (docs/threat-model.md): it is
 * honoured only for an instance scale-up checks itself — it exists, runs, belongs to the pool
 * whose queue the message came from, the registration scale-up last gave it is consumed at GitHub
 * (gone, or busy with its job when the request comes while it runs), and the one before that is
 * gone. So an instance gets at most one fresh registration per job and never holds more than two
 * (its job's and the next one), whatever it sends or runs; a forged request can only ever touch its
 * sender's pool-mate's next registration.
 */

export interface RecycleInput {
  /** Instances of the pool pending or running, this one included. */
  readonly live: number;
  readonly maxRunners: number;
  /** Older than the pool's `maximumLifetimeHours` (by EC2's launch time, which the instance cannot write). */
  readonly pastLifetime: boolean;
  /**
   * EC2 is about to reclaim it, or its pool drains it (`isSpotDoomed`: scale-up's own tags): a fresh
   * registration would put a job on it in its last minutes, out of the quarantine given to its last one.
   */
  readonly spotDoomed: boolean;
}

export type RecycleDecision = 'reuse' | 'terminate';

/**
 * Reuse, unless the pool is over its maximum (e.g. the maximum was lowered), the instance is past
 * its lifetime or about to be reclaimed: then this instance goes (between jobs nothing runs on it).
 */
export function decideRecycle(input: RecycleInput): RecycleDecision {
  return input.live > input.maxRunners || input.pastLifetime || input.spotDoomed ? 'terminate' : 'reuse';
}

/**
 * Cheap filters before the GitHub check: a marked instance is scale-down's; an agent that reports
 * neither `busy` nor `exited` did not send this request now (SQS delivers at least once, late); and
 * a job start or exit that the last registration scale-up gave (`ghr:runner-config`, scale-up's own
 * tag) came after was answered already. Without that last check a request naming an instance whose fresh registration
 * a job had just consumed — a late duplicate, or a pool-mate's forgery, sent while the instance's
 * `exited` was still its tag — got it a second registration it never asked for, and its own next
 * request was then dropped as holding one: the instance stranded (found by the hostile-runner
 * scenario). The exit time is the instance's clock, the ready time ours: both NTP-synchronised,
 * and a job lasts longer than their skew.
 */
export function recycleStaleReason(instance: FleetInstance): string | undefined {
  if (decodeLifecycle(instance.tags[TAG.lifecycle]) !== undefined) return 'retiring';
  const state = decodeAgentState(instance.tags[TAG.agentState]);
  if (state?.state !== 'exited' && state?.state !== 'busy') return 'runner_not_at_work';
  const readyMs = decodeRunnerConfigReady(instance.tags[RUNNER_CONFIG_TAG]);
  if (readyMs !== undefined && readyMs >= state.atMs) return 'answered';
  return undefined;
}

function runnerIdOf(instance: FleetInstance, tag: string): number | undefined {
  const value = instance.tags[tag];
  return value !== undefined && /^\d{1,16}$/.test(value) ? Number(value) : undefined;
}

/**
 * A registration as GitHub shows it: `gone` (consumed and finished, or deleted: 404), `busy` (a job
 * holds it: consumed, it takes no other), or `waiting` (it could still take a job).
 */
async function registrationState(
  deps: ScaleUpDeps,
  pool: PoolConfig,
  runnerId: number,
): Promise<'gone' | 'busy' | 'waiting'> {
  try {
    return (await deps.github.getRunner(runnerOwner(pool), runnerId)).busy ? 'busy' : 'waiting';
  } catch (error) {
    if (error instanceof NotFoundError) return 'gone';
    throw error;
  }
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
  if (stale !== undefined) return { kind: 'drop', reason: stale, quiet: true };
  const runnerId = runnerIdOf(instance, TAG.runnerId);
  if (runnerId === undefined) return { kind: 'drop', reason: 'no_registration_known' };
  // A request while the job runs (`busy`) prepares the next registration; one after the exit replaces it.
  const ahead = decodeAgentState(instance.tags[TAG.agentState])?.state === 'busy';
  const current = await registrationState(deps, pool, runnerId);
  if (current === 'waiting' || (!ahead && current === 'busy')) {
    return { kind: 'drop', reason: 'holds_registration', quiet: true };
  }
  const previous = runnerIdOf(instance, PREVIOUS_RUNNER_TAG);
  if (previous !== undefined && (await registrationState(deps, pool, previous)) !== 'gone') {
    return { kind: 'drop', reason: 'previous_registration_alive' };
  }

  const input: RecycleInput = {
    live: poolInstances.length,
    maxRunners: pool.maxRunners,
    pastLifetime: isPastLifetime(instance.launchTimeMs, pool, deps.clock.now()),
    spotDoomed: isSpotDoomed(instance.tags),
  };
  const decision = decideRecycle(input);
  log.info('recycle decision', { ...base, decision, ahead, ...input });
  if (ahead && decision === 'terminate') return { kind: 'drop', reason: 'no_reuse_ahead', quiet: true };

  if (decision === 'reuse') {
    const tags = { [PREVIOUS_RUNNER_TAG]: String(runnerId) };
    const runnerName = ahead ? preparedRunnerName(instance.instanceId, runnerId) : instance.instanceId;
    try {
      await provisionRunnerConfig(deps, ctx, message.pool, pool, instance.instanceId, { runnerName, tags });
    } catch (error) {
      // Undone already; the instance stays warm without a registration and the retry decides again.
      log.warn('recycle registration failed', { ...base, error: describeError(error) });
      return { kind: 'retry', reason: 'registration_failed' };
    }
    metrics.count(ahead ? 'ScaleUpPreparedAhead' : 'ScaleUpRecycled');
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
