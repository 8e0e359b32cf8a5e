import type { SimWorld } from './build.js';
import type { RunnerSource } from './world/boot.js';
import type { World } from './world/world.js';

export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

/** Nearest-rank percentiles of `values` (seconds, rounded to the millisecond); zeros when empty. */
export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { p50: 0, p95: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  const r = (ms: number): number => Math.round(ms) / 1000;
  return { p50: r(at(0.5)), p95: r(at(0.95)), max: r(sorted.at(-1)!) };
}

/**
 * Queue wait: from the job's arrival (GitHub queued it) to its worker starting on a runner. A job
 * still queued at the end counts with what it waited so far, so a queue that never drains shows.
 */
export function queueWait(world: World): Percentiles {
  return percentiles(queueWaitsMs(world));
}

/** Every job's queue wait in milliseconds (the bench pools them over seeds). */
export function queueWaitsMs(world: World): number[] {
  const waits: number[] = [];
  for (const job of world.github.jobs.values()) {
    if (job.workerStartMs !== undefined) waits.push(job.workerStartMs - job.arrivalMs);
    else if (job.status === 'queued') waits.push(world.now - job.arrivalMs);
  }
  return waits;
}

/** How long instances took to boot, and from where their runner came (issue 15). */
export interface BootAccounting {
  readonly runnerSource: RunnerSource;
  /** CreateFleet to runner online, over the instances whose runner came online. */
  readonly seconds: Percentiles;
}

export function bootAccounting(world: World): BootAccounting {
  return { runnerSource: world.ctx.params.boot.runnerSource, seconds: percentiles(bootTimesMs(world)) };
}

/** CreateFleet to runner online in milliseconds, per instance whose runner came online. */
export function bootTimesMs(world: World): number[] {
  return [...world.ec2.instances.values()].flatMap((i) => (i.everOnline && i.boot ? [i.boot.totalMs] : []));
}

/**
 * A job killed by the control plane, and which guard of docs/safety.md did not hold:
 * - guard (a), the quarantine: `assignedAfterQuarantine` when GitHub assigned the job after the
 *   runner's quarantine was requested (it had not taken effect yet, or GitHub ignored it);
 * - guard (b), GitHub refusing to delete an assigned JIT registration: `jit-deleted` when a DELETE
 *   went through while the job ran (the pessimistic variant), `absent` for a long-lived
 *   registration (no such guard), `bypassed` when the instance was terminated with no DELETE.
 */
export interface KilledJob {
  readonly job: number;
  readonly instance: string;
  readonly cause: 'terminate' | 'delete' | 'label' | 'agent';
  readonly atSeconds: number;
  readonly assignedAfterQuarantine: boolean;
  readonly guardB: 'jit-deleted' | 'absent' | 'bypassed';
}

export function killedJobs(world: World): KilledJob[] {
  const killed: KilledJob[] = [];
  for (const job of world.github.jobs.values()) {
    if (job.status !== 'killed' || job.cause === undefined || job.cause === 'spot') continue;
    const registration = job.killedRegistration;
    const guardB = registration?.deletedWhileAssigned
      ? registration.jit
        ? 'jit-deleted'
        : 'absent'
      : registration !== undefined && !registration.jit
        ? 'absent'
        : 'bypassed';
    killed.push({
      job: job.id,
      instance: job.instanceId ?? '',
      cause: job.cause,
      atSeconds: Math.round((job.endMs ?? world.now) - world.startMs) / 1000,
      assignedAfterQuarantine: job.quarantineRequestedMs !== undefined,
      guardB,
    });
  }
  return killed;
}

/**
 * The two guards of docs/safety.md as the world saw them (guarantee 5), per job:
 * - `assignedWhileQuarantining`: assigned after its runner's quarantine was requested, within
 *   GitHub's propagation delay (the world model allows it: the settle wait and the re-check must
 *   see these jobs);
 * - `guardAFailures`: assigned later than that, when the quarantine should have held (GitHub
 *   ignored it: the stale-labels variant, or a job asking only for default labels);
 * - `guardBSaves`: GitHub refused a DELETE of the runner's registration while the job was assigned
 *   (what guard (b) prevented: without it, that DELETE would have cancelled the job).
 */
export interface Guards {
  readonly assignedWhileQuarantining: number;
  readonly guardAFailures: number;
  readonly guardBSaves: number;
}

export function guards(world: World): Guards {
  const gh = world.ctx.params.github;
  const propagationMs = 1000 * Math.max(gh.labelPropagationSeconds[1], gh.groupPropagationSeconds[1]);
  let during = 0;
  let failures = 0;
  let saves = 0;
  for (const job of world.github.jobs.values()) {
    if (job.deleteRefused === true) saves++;
    if (job.quarantineRequestedMs === undefined || job.assignedMs === undefined) continue;
    if (job.assignedMs - job.quarantineRequestedMs > propagationMs) failures++;
    else during++;
  }
  return { assignedWhileQuarantining: during, guardAFailures: failures, guardBSaves: saves };
}

/** Guarantee 2, per pool (seconds): see `Ec2World.retirementSpans`. */
export interface RetirementSpan {
  readonly marked: number;
  readonly afterQuarantine: number;
}

/** Per pool, the longest retirement spans, those still open at the end included. */
export function retirementSpans(world: World): Record<string, RetirementSpan> {
  for (const instance of world.ec2.instances.values()) world.ec2.closeSpan(instance, world.now);
  const out: Record<string, RetirementSpan> = {};
  for (const pool of [...world.ec2.retirementSpans.keys()].sort()) {
    const span = world.ec2.retirementSpans.get(pool)!;
    out[pool] = { marked: span.markedMs / 1000, afterQuarantine: span.afterQuarantineMs / 1000 };
  }
  return out;
}

/** Metrics the functions emit when they meet trouble or take a fallback path (core code's names). */
const DEGRADATION_METRICS: Readonly<Record<string, readonly string[]>> = {
  'scale-down': ['rateLimited', 'ec2RateLimited', 'runnerListFailed', 'errors', 'leaseHeld', 'sweepFailed'],
  'scale-up': ['ScaleUpRetried', 'ScaleUpConfigFailed', 'ScaleUpDeadLettered', 'jobRecheckNotScheduled'],
  'scale-up-token': ['ScaleUpRetried', 'ScaleUpConfigFailed', 'ScaleUpDeadLettered', 'jobRecheckNotScheduled'],
  webhook: ['WebhookError', 'WebhookRejected'],
};

const ROUTINE_DROPS = new Set([
  'job_not_queued',
  'recheck_job_taken',
  'duplicate_delivery',
  'holds_registration',
  'runner_not_at_work',
  'no_reuse_ahead',
  'retiring',
  'instance_gone',
]);

/** What went wrong or took a fallback path, by reason: `<function> <metric or outcome>: count`. */
export function degradation(sim: SimWorld): Record<string, number> {
  const { world } = sim;
  const counts: Record<string, number> = {};
  const add = (key: string, n: number): void => {
    if (n > 0) counts[key] = (counts[key] ?? 0) + n;
  };
  for (const name of world.lambda.names()) {
    const record = world.lambda.record(name);
    if (!record) continue;
    for (const kind of ['error', 'crashed', 'timeout', 'throttled'] as const)
      add(`${name} ${kind}`, record.outcomes[kind]);
    for (const metric of DEGRADATION_METRICS[name] ?? []) add(`${name} ${metric}`, record.metrics.get(metric) ?? 0);
    // Drops that mean trouble (a malformed or forged message, an error); the usual ones (a job
    // another runner took, a duplicate, a request already answered) are the system working.
    for (const [metric, n] of record.metrics) {
      if (metric.startsWith('dropped_') && !ROUTINE_DROPS.has(metric.slice('dropped_'.length)))
        add(`${name} ${metric}`, n);
    }
  }
  for (const pool of world.pools.values()) {
    add('sqs redriven to the dead-letter queue', world.sqs.redrivenFrom(pool.config.queueUrl));
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
}
