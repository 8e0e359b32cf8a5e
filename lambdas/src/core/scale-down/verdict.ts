import { registeredWorkSignal, unregisteredWorkSignal } from './signals.js';
import type { BusySignal, ObservedInstance } from './types.js';

/**
 * The re-check of a quarantined instance (architecture.md §3 step 5), as a pure function so
 * the planner (on observed state) and the executor (on state re-read after settle) agree.
 *
 * - `retire`: acknowledged by the agent for this mark, agent idle (or `exited` for an instance
 *   between registrations), REST not busy, no in-progress evidence: deregister and terminate.
 * - `busy`: a signal shows work: leave it retiring; a later run re-checks.
 * - `taken`: the runner we quarantined is no longer listed: taken (a JIT job consumed it) or gone.
 *   Never "idle" (PR #5201 review: a GET after DELETE is 404 whatever the runner does).
 * - `registered`: an instance retired between registrations got one after all: the next run quarantines it.
 * - `remark`: the agent wrote a newer state without acknowledging this mark (e.g. `idle` after a job):
 *   ask again with a fresh mark; the quarantine time is kept.
 * - `backstop`: no acknowledgement for quarantine + maximum job duration: the agent may be dead,
 *   and a quarantined runner started no job since, so any job it had has ended.
 * - `wait-ack`: not acknowledged yet; wait.
 */
export type Verdict =
  | { readonly kind: 'retire' }
  | { readonly kind: 'busy'; readonly signal: BusySignal }
  | { readonly kind: 'taken' }
  | { readonly kind: 'registered' }
  | { readonly kind: 'remark' }
  | { readonly kind: 'backstop' }
  | { readonly kind: 'wait-ack' };

export interface VerdictInput {
  readonly instance: ObservedInstance;
  /** True when the protocol quarantined a registration (false: an instance between registrations). */
  readonly expectRunner: boolean;
  readonly markMs: number;
  readonly quarantinedMs: number;
  readonly nowMs: number;
  readonly maxJobMs: number;
}

export function recheckVerdict(input: VerdictInput): Verdict {
  const { instance, expectRunner, markMs, quarantinedMs, nowMs, maxJobMs } = input;
  if (expectRunner && instance.runner === undefined) return { kind: 'taken' };
  if (!expectRunner && instance.runner !== undefined) return { kind: 'registered' };
  const signal = expectRunner
    ? registeredWorkSignal(instance, nowMs, maxJobMs)
    : unregisteredWorkSignal(instance, nowMs, maxJobMs);
  const agent = instance.agent;
  const acknowledged = agent?.ackMarkMs === markMs;
  if (acknowledged) {
    if (signal !== undefined) return { kind: 'busy', signal };
    const ready = expectRunner ? agent?.state === 'idle' : agent?.state === 'exited';
    return ready ? { kind: 'retire' } : { kind: 'busy', signal: 'agent' };
  }
  // Not acknowledged. A busy REST flag or recent evidence still means work.
  if (signal !== undefined && signal !== 'agent') return { kind: 'busy', signal };
  // A `busy` written before the quarantine by an agent silent since is stale once the maximum
  // job duration has passed: that job has ended (or GitHub's job timeout ended it).
  const staleBusy = agent?.state === 'busy' && agent.atMs < quarantinedMs;
  if (nowMs >= quarantinedMs + maxJobMs && (agent?.state !== 'busy' || staleBusy)) return { kind: 'backstop' };
  if (agent?.state === 'busy') return { kind: 'busy', signal: 'agent' };
  if (agent !== undefined && agent.atMs > markMs) return { kind: 'remark' };
  return { kind: 'wait-ack' };
}
