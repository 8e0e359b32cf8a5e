import { FleetError, RateLimitedError, describeError } from '../../errors.js';
import type { ScaleDownContext, ScaleDownReport, ScaleDownStrategy } from '../strategy.js';
import { executePlan, type ExecutionResult } from './execute.js';
import { acquireLease, type Lease } from './lease.js';
import { sweepRunnerConfigs } from './housekeeping.js';
import type { ConcurrencyLimits } from './limiter.js';
import { observeFleet } from './observe.js';
import { planScaleDown } from './plan.js';
import type { RunCounts } from './run-state.js';
import type { FleetObservation } from './types.js';

export { observeFleet, observeInstance, indexRunners } from './observe.js';
export { planScaleDown } from './plan.js';
export { executePlan } from './execute.js';
export { acquireLease } from './lease.js';
export { recheckVerdict } from './verdict.js';
export type * from './types.js';

export interface ScaleDownRunOptions {
  /** Overrides `config.concurrency` (the `sequential` strategy runs with 1 and 1). */
  readonly concurrency?: ConcurrencyLimits;
  /** Lease holder id; defaults to one derived from the clock. */
  readonly holder?: string;
}

/** The report of our protocol: the strategy port's report plus what a run needs to be understood. */
export interface QuarantineRunReport extends ScaleDownReport {
  readonly counts?: RunCounts;
  readonly rateLimitedOwners?: readonly string[];
  readonly errors?: number;
}

let runSequence = 0;

/**
 * One scale-down run of the `quarantine` protocol: take the lease, observe, plan, execute,
 * release. A run that cannot get the lease does nothing (another run is acting).
 * The Lambda handler and the simulator both call this.
 */
export async function runScaleDown(
  context: ScaleDownContext,
  options: ScaleDownRunOptions = {},
): Promise<QuarantineRunReport> {
  const { ports, config, log, metrics } = context;
  runSequence += 1;
  const holder = options.holder ?? `scale-down-${ports.clock.now()}-${runSequence}`;
  const lease = await acquireLease({
    ssm: ports.ssm,
    clock: ports.clock,
    parameterName: config.lease.parameterName,
    ttlSeconds: config.lease.ttlSeconds,
    holder,
  });
  if (lease === undefined) {
    log.info('lease held by another run; nothing done');
    metrics.count('leaseHeld');
    return { ...emptyQuarantineReport(), leaseHeld: true };
  }
  let result: ExecutionResult;
  try {
    const concurrency = options.concurrency ?? {
      global: config.concurrency.global,
      perKey: config.concurrency.perOwner,
    };
    let observation: FleetObservation;
    try {
      observation = await observeFleet(ports, config, log, concurrency.global);
    } catch (error) {
      // EC2 throttled the fleet listing: nothing observed, nothing decided; the next run retries.
      // Degradation, not failure: a warning and a metric the alarms can watch, no rethrow.
      if (!(error instanceof RateLimitedError)) throw error;
      log.warn('fleet listing rate limited; run deferred', { error: describeError(error) });
      metrics.count('rateLimited');
      metrics.count('ec2RateLimited');
      return emptyQuarantineReport();
    }
    for (const owner of observation.owners) {
      if (owner.listed) continue;
      metrics.count('runnerListFailed');
      if (owner.listFailure === 'RateLimitedError') metrics.count('rateLimited');
    }
    const forged = observation.instances.filter((instance) => instance.agentTimeForged === true);
    if (forged.length > 0) {
      // A time in the future on a tag the instance writes: a job forging its agent state, or a
      // broken clock. Read as the launch time (observe.ts); counted so the operator can look.
      metrics.count('agentTimeForged', forged.length);
      log.warn('agent tag times in the future, read as launch time', {
        instanceIds: forged.map((instance) => instance.instanceId),
      });
    }
    const plan = planScaleDown(observation, config, observation.observedAtMs);
    log.info('scale-down planned', {
      instances: observation.instances.length,
      actions: tally(plan.actions.map((a) => (a.kind === 'retire' ? `retire:${a.from}` : a.kind))),
      skipped: tally(plan.skipped.map((s) => (s.signal ? `${s.reason}:${s.signal}` : s.reason))),
    });
    result = await executePlan(plan, { ports, config, log, metrics }, concurrency, lease);
    // Housekeeping deletes too: only while the lease holds.
    if (!result.leaseLost) {
      const live = new Set(observation.instances.map((instance) => instance.instanceId));
      try {
        await sweepRunnerConfigs({ ssm: ports.ssm, config, log, metrics }, live, ports.clock.now());
      } catch (error) {
        // Housekeeping only: the configs stay until a later run sweeps them.
        if (!(error instanceof FleetError)) throw error;
        log.warn('runner config sweep skipped', { error: describeError(error) });
        metrics.count('sweepFailed');
      }
    }
  } finally {
    await releaseLease(lease, log);
  }
  const c = result.counts;
  log.info('scale-down finished', { ...c, rateLimitedOwners: result.rateLimitedOwners.length });
  return {
    retired: c.retired + c.backstops,
    quarantined: c.quarantined,
    returnedToService: c.returnedToService,
    skippedBusy: c.skippedBusy,
    orphansTerminated: c.orphansTerminated,
    leaseHeld: false,
    counts: c,
    rateLimitedOwners: result.rateLimitedOwners,
    errors: c.errors,
  };
}

/** The lease expires by itself: a failed release (a port error) delays the next run at most by its TTL. */
async function releaseLease(lease: Lease, log: ScaleDownContext['log']): Promise<void> {
  try {
    await lease.release();
  } catch (error) {
    if (!(error instanceof FleetError)) throw error;
    log.warn('lease release failed', { error: describeError(error) });
  }
}

function emptyQuarantineReport(): QuarantineRunReport {
  return { retired: 0, quarantined: 0, returnedToService: 0, skippedBusy: 0, orphansTerminated: 0, leaseHeld: false };
}

function tally(keys: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

/** Ours: quarantine, settle, re-check on the agent's word, then deregister and terminate. */
export const quarantineStrategy: ScaleDownStrategy = {
  name: 'quarantine',
  run: (context) => runScaleDown(context),
};
