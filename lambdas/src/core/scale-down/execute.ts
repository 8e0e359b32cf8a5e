import { KeyedLimiter, forEachLimited, type ConcurrencyLimits } from './limiter.js';
import { prepareRetirements } from './prepare.js';
import { settleWatchingDemand } from './demand.js';
import { recheckAndRetire } from './recheck.js';
import { RunState, type RunCounts, type RunDeps } from './run-state.js';
import { clearOrphan, returnToService, tagOrphan, terminateOrphan } from './steps.js';
import type { PlannedAction, RetireAction, ScaleDownPlan } from './types.js';

export interface ExecutionResult {
  readonly counts: RunCounts;
  readonly rateLimitedOwners: readonly string[];
  readonly ec2RateLimited: boolean;
}

function throwFirstFailure(results: readonly PromiseSettledResult<void>[]): void {
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

type OtherAction = Exclude<PlannedAction, RetireAction>;
type TerminateOrphan = Extract<PlannedAction, { kind: 'terminate-orphan' }>;

async function runOther(run: RunState, action: OtherAction, lastChecks: TerminateOrphan[]): Promise<void> {
  switch (action.kind) {
    case 'return-to-service':
      return returnToService(run, action);
    case 'tag-orphan':
      lastChecks.push(await tagOrphan(run, action));
      return;
    case 'clear-orphan':
      return clearOrphan(run, action);
    case 'terminate-orphan':
      return terminateOrphan(run, action);
  }
}

/**
 * Carries out a plan: returns to service and orphan steps, then marks and quarantines under
 * the concurrency limits (global, per owner), one in-run wait for the settle period, then the
 * re-check and retirement of every candidate. Marks come before actions and every write is
 * idempotent, so a crash after any step and a rerun (which observes and plans afresh) reach
 * the same end state.
 */
export async function executePlan(
  plan: ScaleDownPlan,
  deps: RunDeps,
  concurrency: ConcurrencyLimits,
): Promise<ExecutionResult> {
  const run = new RunState(deps);
  const limiter = new KeyedLimiter(concurrency);

  for (const skipped of plan.skipped) {
    if (skipped.reason === 'busy' || (skipped.reason === 'retiring-wait' && skipped.signal !== undefined)) {
      run.count('skippedBusy', `skippedBusy.${skipped.signal ?? 'unknown'}`);
    }
  }

  const retire = plan.actions.filter((a): a is RetireAction => a.kind === 'retire');
  const other = plan.actions.filter((a): a is OtherAction => a.kind !== 'retire');
  const lastChecks: TerminateOrphan[] = [];
  throwFirstFailure(
    await forEachLimited(
      limiter,
      other,
      (a) => a.ownerKey,
      (action) =>
        run.guard({ instanceId: action.instanceId, pool: action.pool, step: action.kind }, () =>
          runOther(run, action, lastChecks),
        ),
    ),
  );

  const { settling, failures } = await prepareRetirements(run, limiter, retire);
  throwFirstFailure(failures);
  const retiring = await settleWatchingDemand(
    run,
    settling,
    lastChecks.map((o) => o.orphanSinceMs),
  );
  throwFirstFailure(await recheckAndRetire(run, limiter, retiring));
  // Orphans tagged in this run: their last check, after the same wait.
  throwFirstFailure(
    await forEachLimited(
      limiter,
      lastChecks,
      (a) => a.ownerKey,
      (action) =>
        run.guard({ instanceId: action.instanceId, pool: action.pool, step: action.kind }, () =>
          terminateOrphan(run, action),
        ),
    ),
  );

  return { counts: run.counts, rateLimitedOwners: [...run.blockedOwners], ec2RateLimited: run.ec2Blocked };
}
