import type { PoolConfig, ScaleDownConfig } from '../../config/schema.js';
import type { GitHubRunner } from '../../ports/index.js';
import { keepQuota, splitByQuota } from '../capacity/idle-quota.js';
import { isPastLifetime } from '../lifetime.js';
import { RUNNER_CONFIG_TAG, TAG, decodeRunnerConfigReady, isSpotDoomed, sanitizeJobId } from '../tags.js';
import {
  agentShowsWork,
  evidenceShowsWork,
  hasQuarantineLabels,
  jobPastQuarantine,
  registeredWorkSignal,
  unregisteredWorkSignal,
} from './signals.js';
import type {
  GuardAFailure,
  FleetObservation,
  ObservedInstance,
  PlannedAction,
  ScaleDownPlan,
  SkippedInstance,
} from './types.js';
import { recheckVerdict } from './verdict.js';

const MINUTE = 60_000;

interface Known {
  readonly instance: ObservedInstance;
  readonly pool: string;
  readonly poolConfig: PoolConfig;
  readonly base: { instanceId: string; pool: string; owner: NonNullable<ObservedInstance['owner']>; ownerKey: string };
}

function registrationOf(runner: GitHubRunner | undefined): { runnerId?: number; runner?: GitHubRunner } {
  return runner === undefined ? {} : { runnerId: runner.id, runner };
}

type Step = PlannedAction | SkippedInstance | 'idle';

/** A retirement of an instance EC2 is about to reclaim or its pool drains never gives it back for demand. */
function spotFlag(instance: ObservedInstance): { spotInterrupted?: true } {
  return isSpotDoomed(instance.tags) ? { spotInterrupted: true } : {};
}

function skip(known: Known, reason: SkippedInstance['reason'], signal?: SkippedInstance['signal']): SkippedInstance {
  return { instanceId: known.instance.instanceId, pool: known.pool, reason, ...(signal ? { signal } : {}) };
}

/** An instance scale-down already marked: resume, undo, or wait (architecture.md §3 steps 2-6). */
function planRetiring(known: Known, jobsWaiting: boolean, nowMs: number, settleMs: number): Step {
  const { instance, poolConfig, base } = known;
  const lifecycle = instance.lifecycle!;
  const runner = instance.runner;
  const ownerType = poolConfig.ownerType;
  const maxJobMs = poolConfig.maxJobDurationMinutes * MINUTE;
  const pastLifetime = isPastLifetime(instance.launchTimeMs, poolConfig, nowMs);
  const spotInterrupted = isSpotDoomed(instance.tags);
  // One writer: scale-down alone returns a quarantined runner to its pool when jobs wait.
  // Without a listed registration there is nothing to restore, but clearing the mark lets
  // scale-up give the instance its next registration (scale-up never touches a retiring one).
  // Never one past its lifetime: demand that never ends would keep it forever. Never one EC2 is
  // about to reclaim: a job given to it would be lost (core/scale-up/spot.ts).
  if (jobsWaiting && !pastLifetime && !spotInterrupted) {
    return { ...base, kind: 'return-to-service', ownerType, ...(runner === undefined ? {} : { runnerId: runner.id }) };
  }
  const registration = registrationOf(runner);
  const resume = {
    ...base,
    kind: 'retire' as const,
    ownerType,
    markMs: lifecycle.markMs,
    ...(pastLifetime ? { pastLifetime: true as const } : {}),
    ...spotFlag(instance),
  };
  // The runner's own state must agree with the tag: a repo runner carries only its quarantine
  // label; an org runner seen in its pool's group is not quarantined (e.g. an instance retired
  // between registrations that registered after all). Either way: quarantine (again).
  const visiblyUnquarantined =
    runner !== undefined &&
    (ownerType === 'repo' ? !hasQuarantineLabels(instance) : runner.runnerGroupId === poolConfig.runnerGroupId);
  const needsQuarantine = lifecycle.phase === 'retiring' || visiblyUnquarantined;
  // A quarantine already recorded keeps its time if the runner proves taken (prepare.ts): the bound
  // runs from it. Not when scale-up gave the instance its registration after that time (a prepared
  // one whose request read the tags before the mark showed): a job on it may have started after it,
  // unquarantined, so the quarantine time starts again (`ghr:runner-config`, scale-up's own tag).
  const readyMs = decodeRunnerConfigReady(instance.tags[RUNNER_CONFIG_TAG]) ?? 0;
  const recorded =
    lifecycle.phase === 'quarantined' && readyMs <= lifecycle.quarantinedMs
      ? { quarantinedMs: lifecycle.quarantinedMs }
      : {};
  if (needsQuarantine) return { ...resume, from: 'quarantine', ...registration, ...recorded };
  if (lifecycle.phase !== 'quarantined') return skip(known, 'retiring-wait'); // unreachable: narrowed above
  const quarantinedMs = lifecycle.quarantinedMs;
  const recheck = {
    ...resume,
    from: 'recheck' as const,
    quarantinedMs,
    ...registration,
  };
  // Still settling (an earlier run stopped mid-way): the executor waits out the rest and re-checks.
  if (nowMs < quarantinedMs + settleMs) return recheck;
  const verdict = recheckVerdict({
    instance,
    expectRunner: runner !== undefined,
    markMs: lifecycle.markMs,
    quarantinedMs,
    nowMs,
    maxJobMs,
    settleMs,
  });
  switch (verdict.kind) {
    case 'retire':
    case 'remark':
    case 'backstop':
      return recheck;
    case 'busy':
      return skip(known, 'retiring-wait', verdict.signal);
    default:
      return skip(known, 'retiring-wait');
  }
}

/** A registered runner not in the protocol: idle (a candidate for the quota split), busy, or young. */
function planRegistered(known: Known, nowMs: number): Step {
  const { instance, poolConfig, base } = known;
  // An offline registration with no runner behind it on the instance (the agent reports none yet,
  // that its last one exited, or a job older than the longest one): GitHub assigns no job to an
  // offline runner, so nothing runs on it. It is a failed boot (JIT registrations are listed,
  // offline, from the moment scale-up creates them), a reusable instance's next registration not
  // started yet (prepared while a job runs: scale-up/recycle.ts), or one its dead agent never will
  // start: the rules of an instance without a registration decide (a job shown by REST, the agent
  // or evidence; booting, between registrations, orphan), so none of them stays forever — and a dead
  // agent's prepared registration is not given back to jobs it can never take.
  const maxJobMs = poolConfig.maxJobDurationMinutes * MINUTE;
  const agent = instance.agent;
  const runnerless =
    agent === undefined ||
    agent.state === 'exited' ||
    (agent.state === 'busy' && !agentShowsWork(instance, nowMs, maxJobMs));
  if (instance.runner?.status === 'offline' && runnerless) return planUnregistered(known, nowMs);
  if (instance.orphanSinceMs !== undefined) return { ...base, kind: 'clear-orphan' };
  if (nowMs - instance.launchTimeMs < poolConfig.minimumRunningTimeMinutes * MINUTE) return skip(known, 'young');
  const signal = registeredWorkSignal(instance, nowMs, maxJobMs);
  // An online runner whose agent never wrote a state, past the boot timeout: the agent died at boot
  // and will never say `idle`. Its silence is no sign of work (REST and evidence still are): it is
  // retired like any other, and as its agent never acknowledges, only by the backstop at the
  // retirement bound, when no job that could start on it can still run. Kept, it would run forever.
  const silentSinceBoot =
    instance.agent === undefined && nowMs - instance.launchTimeMs >= poolConfig.bootTimeoutMinutes * MINUTE;
  if (signal === 'agent' && silentSinceBoot) {
    return evidenceShowsWork(instance, nowMs, maxJobMs) ? skip(known, 'busy', 'evidence') : 'idle';
  }
  return signal === undefined ? 'idle' : skip(known, 'busy', signal);
}

/**
 * No registration listed. A running JIT job consumed it (agent busy or evidence), or the
 * instance is between registrations (reusable pool, agent `exited`), or it never registered.
 * Orphans are tagged first and terminated on a later run if nothing changed (architecture.md §3 "Backstops").
 */
function planUnregistered(known: Known, nowMs: number): Step {
  const { instance, poolConfig, base } = known;
  const agent = instance.agent;
  const orphanSince = instance.orphanSinceMs;
  const signal = unregisteredWorkSignal(instance, nowMs, poolConfig.maxJobDurationMinutes * MINUTE);
  if (signal !== undefined)
    return orphanSince === undefined ? skip(known, 'busy', signal) : { ...base, kind: 'clear-orphan' };
  if (orphanSince !== undefined && agent !== undefined && agent.atMs > orphanSince && orphanSince > 0) {
    return { ...base, kind: 'clear-orphan' }; // it showed life after the tag: not an orphan
  }
  const sinceMs = Math.max(instance.launchTimeMs, agent?.atMs ?? 0);
  const young = nowMs - instance.launchTimeMs < poolConfig.minimumRunningTimeMinutes * MINUTE;
  const withinBoot = nowMs - sinceMs < poolConfig.bootTimeoutMinutes * MINUTE;
  // A reusable instance between registrations holds nothing: surplus ones may go (after a mark and an ack).
  if (!poolConfig.ephemeral && agent?.state === 'exited' && orphanSince === undefined && withinBoot) {
    return young ? skip(known, 'young') : 'idle';
  }
  if (withinBoot) return skip(known, 'booting');
  if (orphanSince === undefined) return { ...base, kind: 'tag-orphan' };
  return { ...base, kind: 'terminate-orphan', orphanSinceMs: orphanSince };
}

/**
 * Decides one scale-down run from one observation, without I/O. Every instance gets exactly
 * one action or one skip reason.
 */
export function planScaleDown(observation: FleetObservation, config: ScaleDownConfig, nowMs: number): ScaleDownPlan {
  const actions: PlannedAction[] = [];
  const skipped: SkippedInstance[] = [];
  const idleByPool = new Map<string, Known[]>();
  const settleMs = config.settleSeconds * 1000;
  const guardAFailures: GuardAFailure[] = [];

  for (const instance of observation.instances) {
    const pool = instance.pool;
    const poolConfig = pool === undefined ? undefined : config.pools[pool];
    if (pool === undefined || poolConfig === undefined || instance.owner === undefined) {
      skipped.push({ instanceId: instance.instanceId, ...(pool ? { pool } : {}), reason: 'unknown-pool' });
      continue;
    }
    const known: Known = {
      instance,
      pool,
      poolConfig,
      base: { instanceId: instance.instanceId, pool, owner: instance.owner, ownerKey: instance.ownerKey ?? '' },
    };
    if (instance.bypassRemoval) {
      skipped.push(skip(known, 'bypass-removal'));
      continue;
    }
    if (!instance.registrationKnown) {
      skipped.push(skip(known, 'owner-not-listed'));
      continue;
    }
    // The hard bound (docs/threat-model.md): past its lifetime an instance is marked whatever it
    // says — busy, idle, booting, orphan — and the retirement bound ends it. The protocol still
    // waits for a job that may run: only an answer or the bound ends the mark.
    if (instance.lifecycle === undefined && isPastLifetime(instance.launchTimeMs, poolConfig, nowMs)) {
      actions.push({
        ...known.base,
        kind: 'retire',
        from: 'mark',
        ownerType: poolConfig.ownerType,
        pastLifetime: true,
        ...spotFlag(instance),
        ...registrationOf(instance.runner),
      });
      continue;
    }
    const lateJob = jobPastQuarantine(instance, settleMs);
    if (lateJob !== undefined && instance.tags[TAG.guardAFailed] !== sanitizeJobId(lateJob))
      guardAFailures.push({ instanceId: instance.instanceId, pool, jobId: lateJob });
    const jobsWaiting = (observation.pools[pool]?.queueDepth ?? 0) > 0;
    const step =
      instance.lifecycle !== undefined
        ? planRetiring(known, jobsWaiting, nowMs, settleMs)
        : instance.runner !== undefined
          ? planRegistered(known, nowMs)
          : planUnregistered(known, nowMs);
    if (step === 'idle') {
      if (jobsWaiting) skipped.push(skip(known, 'jobs-waiting'));
      else idleByPool.set(pool, [...(idleByPool.get(pool) ?? []), known]);
    } else if ('kind' in step) actions.push(step);
    else skipped.push(step);
  }

  // Idle surplus only: the hard bound, spot-doomed runners and retirements under way are never held back.
  const newPerOwner = new Map<string, number>();
  const affordable = (k: Known): boolean => {
    const started = newPerOwner.get(k.base.ownerKey) ?? 0;
    if (started >= config.maxNewRetirementsPerOwner) return false;
    newPerOwner.set(k.base.ownerKey, started + 1);
    return true;
  };

  for (const [pool, idle] of idleByPool) {
    const poolConfig = config.pools[pool]!;
    const quota = keepQuota(poolConfig, nowMs);
    // A doomed runner (quarantined at a spot warning or a drain) takes no job: never one the quota keeps.
    const doomed = idle.filter((k) => isSpotDoomed(k.instance.tags));
    const { keep, surplus } = splitByQuota(
      idle
        .filter((k) => !isSpotDoomed(k.instance.tags))
        .map((k) => ({ ...k, instanceId: k.instance.instanceId, launchTimeMs: k.instance.launchTimeMs })),
      quota,
    );
    for (const k of keep) skipped.push(skip(k, 'kept-idle'));
    for (const k of [...doomed, ...surplus]) {
      if (!isSpotDoomed(k.instance.tags) && !affordable(k)) {
        skipped.push(skip(k, 'write-budget'));
        continue;
      }
      actions.push({
        ...k.base,
        kind: 'retire',
        from: 'mark',
        ownerType: poolConfig.ownerType,
        ...spotFlag(k.instance),
        ...registrationOf(k.instance.runner),
      });
    }
  }
  return { actions, skipped, guardAFailures };
}
