import type { SimWorld } from './build.js';
import {
  degradation,
  guards,
  killedJobs,
  queueWait,
  retirementSpans,
  type Guards,
  type KilledJob,
  type Percentiles,
  type RetirementSpan,
} from './accounting-detail.js';
import { FUNCTIONS } from './control-plane/configs.js';
import { hostileAccounting, type HostileAccounting } from './world/hostile/accounting.js';

/** world-model.md, "Accounting": what every run reports. */
export interface Accounting {
  readonly jobsSubmitted: number;
  readonly jobsCompleted: number;
  /** Assigned and not completed because of a control-plane action. */
  readonly jobsKilled: number;
  readonly jobsKilledByCause: { readonly terminate: number; readonly delete: number; readonly label: number };
  /** Every killed job: its cause and which of the two guards of docs/safety.md did not hold. */
  readonly killedJobs: readonly KilledJob[];
  readonly jobsLostToSpot: number;
  /** Of those, the jobs GitHub re-ran (a new attempt queued) at the control plane's request. */
  readonly jobsRequeuedAfterSpot: number;
  readonly jobsQueuedAtEnd: number;
  /** Assigned or running when the run ended. */
  readonly jobsRunningAtEnd: number;
  /** Job queued → job started on a runner; jobs still queued at the end count with their wait so far. */
  readonly queueWaitSeconds: Percentiles;
  readonly instancesLaunched: number;
  /**
   * Not terminated at the end, with no runner running for longer than its bound: boot timeout
   * + two schedules (one to tag the orphan, one to end it), plus the backstop wait for silent agents.
   */
  readonly instancesLeaked: number;
  readonly instanceHours: number;
  readonly idleInstanceHours: number;
  readonly githubCalls: number;
  readonly awsCalls: number;
  readonly githubCallsByEndpoint: Readonly<Record<string, { calls: number; points: number }>>;
  readonly awsCallsByAction: Readonly<Record<string, number>>;
  readonly rateLimitHits: number;
  readonly githubThrottles: number;
  readonly ec2Throttles: number;
  /**
   * The longest an instance stayed surplus — idle, past its minimum running time, its agent
   * alive — before it went, or until the end of the run if it is still there (L1).
   */
  readonly maxSurplusIdleSeconds: number;
  /** The same for instances whose agent died silently (the backstop's case, reported apart). */
  readonly maxSilentAgentIdleSeconds: number;
  /** The longest life of an instance that never ran a runner, gone or still there (L2). */
  readonly maxOrphanSeconds: number;
  readonly orphansReaped: number;
  /** Quarantined or retiring runners scale-down gave back to their pool (jobs waited). */
  readonly returnedToService: number;
  /** Instances the retirement bound ended (the silent-agent backstop). */
  readonly backstops: number;
  /** Which guard of docs/safety.md held or failed, as the world saw it (guarantee 5). */
  readonly guards: Guards;
  /** What our control plane reported of the same: its `guardAFailed` and `guardBSaved` metrics. */
  readonly guardsReported: { readonly guardAFailed: number; readonly guardBSaved: number };
  /** Per pool, the longest an instance stayed marked, and since its quarantine, seconds (guarantee 2). */
  readonly retirementSecondsByPool: Readonly<Record<string, RetirementSpan>>;
  /** L3 of docs/safety.md: the longest an instance that could serve waiting jobs stayed marked. */
  readonly maxMarkedWithDemandSeconds: number;
  /** What went wrong or took a fallback path, by reason (metrics, invocation outcomes, dead letters). */
  readonly degraded: Readonly<Record<string, number>>;
  /** Adversarial scenarios (`world.hostile`): what the attackers tried and what stopped them. */
  readonly hostile?: HostileAccounting;
}

const HOUR = 3_600_000;

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function sorted<T>(map: ReadonlyMap<string, T>): Record<string, T> {
  const result: Record<string, T> = {};
  for (const key of [...map.keys()].sort()) result[key] = map.get(key)!;
  return result;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  const result: Partial<Record<K, V>> = {};
  if (value !== undefined) result[key] = value;
  return result;
}

export function account(sim: SimWorld): Accounting {
  const { world, scenario } = sim;
  const scheduleMinutes = scenario.scaleDown.everyMinutes;
  const end = world.now;
  const byCause = { terminate: 0, delete: 0, label: 0 };
  let completed = 0;
  let spot = 0;
  let requeued = 0;
  let queued = 0;
  let running = 0;
  const busyByInstance = new Map<string, number>();
  for (const job of world.github.jobs.values()) {
    if (job.status === 'completed') completed++;
    else if (job.status === 'queued') queued++;
    else if (job.status === 'killed') {
      if (job.cause === 'spot') {
        spot++;
        if (job.rerunAs !== undefined) requeued++;
      } else if (job.cause === 'delete') byCause.delete++;
      else if (job.cause === 'label') byCause.label++;
      // Our own agent shutting an instance down under a job is the control plane too.
      else byCause.terminate++;
    } else running++;
    if (job.instanceId !== undefined && job.assignedMs !== undefined) {
      const busy = Math.min(job.endMs ?? end, end) - job.assignedMs;
      busyByInstance.set(job.instanceId, (busyByInstance.get(job.instanceId) ?? 0) + busy);
    }
  }
  let totalMs = 0;
  let busyMs = 0;
  let leaked = 0;
  let maxSurplusMs = world.maxSurplusIdleMs;
  let maxOrphanMs = world.maxOrphanLifetimeMs;
  for (const instance of world.ec2.instances.values()) {
    const life = Math.min(instance.terminatedMs ?? end, end) - instance.launchMs;
    totalMs += life;
    busyMs += Math.min(life, busyByInstance.get(instance.id) ?? 0);
    const live = instance.state === 'pending' || instance.state === 'running';
    const seen = world.hosts.hosts.get(instance.id);
    // A hostile instance lies and never shuts itself down: its bound is the hard one (hostileAccounting).
    const host = seen?.hostile === true ? undefined : seen;
    const pool = world.pools.get(instance.pool);
    // A silent agent's instance is ended by the backstop only after quarantine + the maximum
    // job duration (architecture.md §3), and its last `busy` is trusted for that long first.
    const silentAgentMs = host && !host.agent.alive ? 2 * (pool?.config.maxJobDurationMinutes ?? 360) * 60_000 : 0;
    const bound = ((pool?.config.bootTimeoutMinutes ?? 8) + 2 * scheduleMinutes) * 60_000 + silentAgentMs;
    // Between two JIT registrations an instance is briefly without a runner: only a long gap is a leak.
    const offlineSince = host?.offlineSinceMs;
    if (live && host && !host.job && offlineSince !== undefined && end - offlineSince > bound) leaked++;
    if (live && host && !instance.everOnline) maxOrphanMs = Math.max(maxOrphanMs, end - instance.launchMs);
    const keepsIdle = (pool?.config.idleConfig.length ?? 0) > 0;
    if (live && host && instance.everOnline && !host.job && host.agent.alive && !keepsIdle) {
      maxSurplusMs = Math.max(maxSurplusMs, end - world.hosts.surplusSinceMs(host));
    }
  }
  const counters = world.counters;
  const scaleDown = world.lambda.record(FUNCTIONS.scaleDown)?.metrics;
  const killed = killedJobs(world);
  return {
    jobsSubmitted: world.github.jobs.size,
    jobsCompleted: completed,
    jobsKilled: byCause.terminate + byCause.delete + byCause.label,
    jobsKilledByCause: byCause,
    killedJobs: killed,
    jobsLostToSpot: spot,
    jobsRequeuedAfterSpot: requeued,
    jobsQueuedAtEnd: queued,
    jobsRunningAtEnd: running,
    queueWaitSeconds: queueWait(world),
    instancesLaunched: world.ec2.instances.size,
    instancesLeaked: leaked,
    instanceHours: round(totalMs / HOUR, 3),
    idleInstanceHours: round((totalMs - busyMs) / HOUR, 3),
    githubCalls: counters.totalGithubCalls(),
    awsCalls: counters.totalAwsCalls(),
    githubCallsByEndpoint: sorted(counters.github),
    awsCallsByAction: sorted(counters.aws),
    rateLimitHits: counters.rateLimitHits,
    githubThrottles: counters.githubThrottles,
    ec2Throttles: counters.ec2Throttles,
    maxSurplusIdleSeconds: round(maxSurplusMs / 1000, 3),
    maxSilentAgentIdleSeconds: round(world.maxSilentAgentIdleMs / 1000, 3),
    maxOrphanSeconds: round(maxOrphanMs / 1000, 3),
    // On the world's truth, so an external autoscaler's reaping counts too (npm start -- --serve).
    orphansReaped: world.orphansReaped,
    returnedToService: scaleDown?.get('returnedToService') ?? 0,
    backstops: scaleDown?.get('backstops') ?? 0,
    guards: guards(world),
    guardsReported: {
      guardAFailed: scaleDown?.get('guardAFailed') ?? 0,
      guardBSaved: scaleDown?.get('guardBSaved') ?? 0,
    },
    retirementSecondsByPool: retirementSpans(world),
    maxMarkedWithDemandSeconds: round(world.markedDemand.maxMs / 1000, 3),
    degraded: degradation(sim),
    ...optional('hostile', hostileAccounting(world, sim.configs.scaleDown, scheduleMinutes)),
  };
}
