import { KeyedLimiter, forEachLimited, type ConcurrencyLimits } from './limiter.js';
import { prepareRetirements } from './prepare.js';
import { settleWatchingDemand } from './demand.js';
import { recheckAndRetire } from './recheck.js';
import { RunState, type RunCounts, type RunDeps, type RunLease } from './run-state.js';
import { clearOrphan, returnToService, tagOrphan, terminateOrphan } from './steps.js';
import type { GuardAFailure, PlannedAction, RetireAction, ScaleDownPlan } from './types.js';
import { TAG, sanitizeJobId } from '../tags.js';

export interface ExecutionResult {
  readonly counts: RunCounts;
  readonly rateLimitedOwners: readonly string[];
  readonly ec2RateLimited: boolean;
  /** The run stopped acting because its lease was about to expire or was taken over. */
  readonly leaseLost?: boolean;
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
 * Guarantee 5 of docs/safety.md: a job started on a quarantined runner after its settle wait means
 * GitHub ignored a quarantine that had taken effect (guard (a) failed; world-model.md would be
 * wrong). Logged as an error and counted (`guardAFailed`, alarmed), once per job: the job's id is
 * recorded on the instance.
 */
async function recordGuardAFailures(run: RunState, failures: readonly GuardAFailure[]): Promise<void> {
  for (const failure of failures) {
    run.deps.metrics.count('guardAFailed');
    run.deps.log.error('guard (a) failed: a job started on a quarantined runner after its settle wait', { ...failure });
    await run.guard({ instanceId: failure.instanceId, pool: failure.pool, step: 'guard-a-record' }, () =>
      run.ec2Write(() =>
        run.deps.ports.ec2.createTags([failure.instanceId], { [TAG.guardAFailed]: sanitizeJobId(failure.jobId) }),
      ),
    );
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
  lease: RunLease,
): Promise<ExecutionResult> {
  const run = new RunState(deps, lease);
  const limiter = new KeyedLimiter(concurrency);

  for (const skipped of plan.skipped) {
    if (skipped.reason === 'busy' || (skipped.reason === 'retiring-wait' && skipped.signal !== undefined)) {
      run.count('skippedBusy', `skippedBusy.${skipped.signal ?? 'unknown'}`);
    }
  }

  const retire = plan.actions.filter((a): a is RetireAction => a.kind === 'retire');
  const other = plan.actions.filter((a): a is OtherAction => a.kind !== 'retire');
  const lastChecks: TerminateOrphan[] = [];
  // Every step below acts only while the lease holds (guarantee 4); this first re-read also
  // catches a takeover race lost since the lease was taken.
  // leaseLost: the caller's housekeeping deletes must not run either.
  if (!(await run.leaseHeld())) {
    return { counts: run.counts, rateLimitedOwners: [], ec2RateLimited: false, leaseLost: true };
  }
  await recordGuardAFailures(run, plan.guardAFailures);
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

  return {
    counts: run.counts,
    rateLimitedOwners: [...run.blockedOwners],
    ec2RateLimited: run.ec2Blocked,
    leaseLost: run.leaseLost,
  };
}
