import type { GitHubRunner, InstanceState, RunnerOwner } from '../../ports/index.js';
import type { AgentState, JobEvidence, Lifecycle } from '../tags.js';

/** One instance of the fleet, joined with its runner registration (if any) and its decoded tags. */
export interface ObservedInstance {
  readonly instanceId: string;
  readonly state: InstanceState;
  readonly launchTimeMs: number;
  /** Pool name from `ghr:pool`; undefined when the tag is missing. */
  readonly pool?: string;
  /** From `ghr:Owner`, else the pool's owner; undefined when neither is known. */
  readonly owner?: RunnerOwner;
  readonly ownerKey?: string;
  /** The runner joined by `ghr:github_runner_id` or by name (= instance id). */
  readonly runner?: GitHubRunner;
  /**
   * Another listed registration of the instance (named after it) that GitHub holds busy: the job's
   * own, consumed, while the next one waits prepared ahead (scale-up/recycle.ts). A REST signal of work.
   */
  readonly earlierRunnerBusy?: true;
  /** False when the owner's runner list could not be read this run: nothing is known about registration. */
  readonly registrationKnown: boolean;
  readonly runnerIdTag?: number;
  readonly lifecycle?: Lifecycle;
  /** `ghr:fence`: the token of the run that owns the mark (guarantee 4). */
  readonly fenceToken?: number;
  /** The agent's state, its time clamped to [launch, now + skew] (observe.ts, `clampAgentTime`). */
  readonly agent?: AgentState;
  /** The agent tag carried a time in the future: forged, or a broken clock (counted, never trusted). */
  readonly agentTimeForged?: true;
  readonly evidence?: JobEvidence;
  /** `ghr:orphan` value as epoch ms; 0 when the tag holds something else (upstream writes `true`). */
  readonly orphanSinceMs?: number;
  readonly bypassRemoval: boolean;
  /** Raw tags, for baselines that keep their own state in tags. */
  readonly tags: Readonly<Record<string, string>>;
}

export interface ObservedOwner {
  readonly owner: RunnerOwner;
  readonly key: string;
  /** False when listing failed (rate limit, outage): its instances are left alone this run. */
  readonly listed: boolean;
  /** Why listing failed: the error's class (`RateLimitedError`, `TransientError`, …). */
  readonly listFailure?: string;
  readonly runnerCount: number;
}

export interface ObservedPool {
  readonly name: string;
  /** Messages waiting or in flight on the pool's queue; undefined when it could not be read. */
  readonly queueDepth?: number;
}

export interface FleetObservation {
  readonly observedAtMs: number;
  readonly instances: readonly ObservedInstance[];
  readonly owners: readonly ObservedOwner[];
  readonly pools: Readonly<Record<string, ObservedPool>>;
}

/** Which signal showed (or might show) work: the planner's reason for leaving a runner alone. */
export type BusySignal = 'rest' | 'agent' | 'evidence' | 'unregistered';

export type SkipReason =
  | 'unknown-pool'
  | 'owner-not-listed'
  | 'bypass-removal'
  | 'young'
  | 'kept-idle'
  | 'busy'
  | 'booting'
  | 'jobs-waiting'
  | 'retiring-wait'
  /** Surplus this run cannot afford to retire within GitHub's write limits: the next run takes it. */
  | 'write-budget';

interface ActionBase {
  readonly instanceId: string;
  readonly pool: string;
  readonly owner: RunnerOwner;
  readonly ownerKey: string;
}

/**
 * Where the retirement protocol (architecture.md §3) resumes for one instance:
 * `mark` starts it, `quarantine` resumes after a mark (or re-applies a quarantine the runner no
 * longer shows), `recheck` after the quarantine was recorded (the executor waits out what is
 * left of settle, re-reads, and retires, asks the agent again, or applies the backstop).
 */
export type RetireAction = ActionBase & {
  readonly kind: 'retire';
  readonly from: 'mark' | 'quarantine' | 'recheck';
  /** Registered runner to quarantine and deregister; undefined for an instance between registrations. */
  readonly runnerId?: number;
  /** The runner as observed (GitHub's view at planning time). */
  readonly runner?: GitHubRunner;
  readonly ownerType: 'org' | 'repo';
  readonly markMs?: number;
  readonly quarantinedMs?: number;
  /**
   * Older than the pool's `maximumLifetimeHours`: retired whatever its agent says and never given
   * back for demand, so nothing written on the instance keeps it past the hard bound.
   */
  readonly pastLifetime?: true;
  /** EC2 warned of a spot reclaim (`ghr:spot-interruption`): never given back for demand either. */
  readonly spotInterrupted?: true;
};

/** Whether a retiring runner may go back to its pool for waiting jobs: not past its lifetime, not about to be reclaimed. */
export function mayServeDemand(action: Pick<RetireAction, 'pastLifetime' | 'spotInterrupted'>): boolean {
  return action.pastLifetime !== true && action.spotInterrupted !== true;
}

export type PlannedAction =
  | RetireAction
  /** Jobs wait: undo the quarantine (when a registration is listed) and clear the mark, so scale-up may use it. */
  | (ActionBase & {
      readonly kind: 'return-to-service';
      readonly runnerId?: number;
      readonly ownerType: 'org' | 'repo';
    })
  | (ActionBase & { readonly kind: 'tag-orphan' })
  /** Tagged (on an earlier run, or earlier in this one) and no sign of life since: terminate after a last look at the tags. */
  | (ActionBase & { readonly kind: 'terminate-orphan'; readonly orphanSinceMs: number })
  | (ActionBase & { readonly kind: 'clear-orphan' });

export interface SkippedInstance {
  readonly instanceId: string;
  readonly pool?: string;
  readonly reason: SkipReason;
  readonly signal?: BusySignal;
}

/** A job that started on a quarantined runner past its settle wait, not yet recorded on the instance. */
export interface GuardAFailure {
  readonly instanceId: string;
  readonly pool: string;
  readonly jobId: string;
}

export interface ScaleDownPlan {
  readonly actions: readonly PlannedAction[];
  readonly skipped: readonly SkippedInstance[];
  /** Guard (a) failures seen in this observation (docs/safety.md, guarantee 5). */
  readonly guardAFailures: readonly GuardAFailure[];
}
