import type { ScaleDownConfig } from '../../../../src/config/schema.js';
import { makeConfig } from '../../world.js';

/**
 * The explorer's model of what happens around a scale-down run (issue 13): the instances of a
 * fleet of 1–3, the jobs GitHub assigns to their runners, and the bounds the world model puts on
 * how late a reaction may come. The control plane under test is the real one; only the world is
 * modelled here.
 */

export type PoolName = 'repo' | 'org';

/**
 * Upper bounds of the world's reactions (world-model.md; `settleSeconds` in config/schema.ts sums
 * the same figures). An event still pending at its bound is forced to happen before time passes it,
 * so every explored order is one the world model allows. Our EC2 double reads its own writes at
 * once: the tag read lag is folded into the agent's bounds.
 */
export const BOUNDS = {
  /** A label change or runner-group move takes effect for matching (pessimistic range: 60 s). */
  propagationMs: 60_000,
  /** The listener receives an assigned job (≤ 2 s) and spawns its worker (≤ 2 s). */
  startMs: 4_000,
  /** The agent notices a change of its runner (≤ 1 s), writes its state (≤ 3 s), we read it (≤ 2 s). */
  agentWriteMs: 6_000,
  /** The agent sees a mark in instance metadata (lag ≤ 10 s, polled every 5 s) and answers (≤ 3 + 2 s). */
  agentAckMs: 20_000,
  /** An idle listener whose registration was deleted exits within one poll. */
  listenerExitMs: 50_000,
} as const;

/** How an instance starts the exploration. */
export type InstanceStart =
  /** Registered, online, its agent wrote `idle`: a surplus runner (the idle quota is 0). */
  | 'idle'
  /** Registered and running a job its agent reported `busy`. */
  | 'busy'
  /** Launched past the boot timeout and never registered: an orphan. */
  | 'orphan'
  /** Registered and online, but its agent died at boot before its first write. */
  | 'silent';

export interface InstancePlan {
  readonly pool: PoolName;
  readonly start: InstanceStart;
  /** The agent dies silently once this gate opens (see `Gate`); undefined: it lives. */
  readonly agentDies?: Gate;
  /** A `busy` instance: when its job ends, and what becomes of that job's webhooks. */
  readonly job?: JobTiming;
}

/**
 * When a spontaneous event may happen: once the first run has made this many port calls (or has
 * ended). The scheduler then picks the moment among everything else that may happen. Without a
 * gate, fast-check's uniform choice among pending tasks would make such events happen early in
 * almost every order; a gate lets the explorer put them anywhere in the run.
 */
export type Gate = number;

/** A webhook delivery: lost, or delivered once the gate opens (late deliveries included). */
export type Delivery = Gate | 'lost';

export interface JobTiming {
  /** The job may end once this gate opens (and it has started). */
  readonly ends: Gate;
  readonly inProgressHook: Delivery;
  readonly completedHook: Delivery;
}

export interface JobPlan extends JobTiming {
  readonly pool: PoolName;
  /** The job is queued (GitHub's queue and the pool's SQS queue) once this gate opens. */
  readonly arrives: Gate;
}

export interface Scenario {
  readonly instances: readonly InstancePlan[];
  readonly jobs: readonly JobPlan[];
  /** The first run crashes right after its n-th port call (1-based; sleeps count) and makes no call after. */
  readonly crashAfterCall?: number;
  /** The first run stalls past its lease at its next clock read once this gate opens. */
  readonly stall?: Gate;
  /** Once the first run has ended, nothing runs for a lease TTL (a crashed run's lease expires). */
  readonly quietAfterRun?: boolean;
  /** A second run starts once this gate opens: overlapping the first, or after it. */
  readonly secondRun?: Gate;
}

/** Not a port error: the executor treats it as the Lambda dying mid-run. */
export class Crash extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Crash';
  }
}

/**
 * Both pools of the core tests' world (a repo pool and an org pool), reusable (the long-lived
 * registrations of guard-(b)-absent worlds), with a short maximum job duration (still longer than a
 * run's settle wait) so the retirement bound — quarantine + settle + maximum job + 5 min — is reached
 * within two scheduled runs, and
 * the shortest lease the schema accepts for three runners a pool, so a stall past it is cheap.
 */
export function explorerConfig(): ScaleDownConfig {
  return makeConfig(
    { lease: { parameterName: '/ghr/lease', ttlSeconds: 180 } },
    { maxRunners: 3, maxJobDurationMinutes: 2, ephemeral: false },
  );
}

/** EC2-shaped instance ids: the webhook's evidence writer only accepts those. */
export function instanceId(index: number): string {
  return `i-${(index + 1).toString(16).padStart(17, '0')}`;
}

/** A short name for traces: `i1` for `i-00…01`. */
export function shortId(id: string): string {
  return `i${Number.parseInt(id.slice(2), 16)}`;
}
