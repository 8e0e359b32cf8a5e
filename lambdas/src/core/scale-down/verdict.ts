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
 * - `remark`: the agent wrote a newer state without acknowledging this mark (e.g. `idle` after a job),
 *   or acknowledged idle a mark made before the quarantine had surely taken effect (`QUARANTINE_EFFECT_MS`):
 *   ask again with a fresh mark; the quarantine time is kept.
 * - `backstop`: the retirement bound has passed (`retirementBoundMs`): no job that could have
 *   started on the runner can still run, whatever its agent says or does not say (silent, dead,
 *   stuck on a `busy`, lying). Deregister and terminate.
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
  readonly settleMs: number;
}

/**
 * Spare time after the longest job before the bound: clock skew between the instance, GitHub and
 * us, and the listener's own start-up. Five minutes; stated in docs/safety.md.
 */
export const BOUND_MARGIN_MS = 5 * 60_000;

/**
 * How long after the quarantine call a job GitHub could still assign to the runner has surely started
 * there and been noticed by its agent: the quarantine takes effect for matching (≤ 60 s), the listener
 * receives the job (≤ 2 s), its worker starts (≤ 2 s), the agent notices (≤ 1 s) (world-model.md; the
 * same figures as `settleSeconds` in config/schema.ts). The agent answers a mark with the state it
 * observes right before it writes, so only the answer to a mark made this long after the quarantine
 * proves the runner idle: an earlier answer may predate the last job, and an agent that died right
 * after it never reports that job (issue 13: the explorer found such a job killed where guard (b) is absent).
 */
export const QUARANTINE_EFFECT_MS = 65_000;

/**
 * How long an agent that is alive takes to answer a mark: the instance-metadata tag lag (≤ 10 s), its
 * tag poll (5 s), its write (≤ 3 s), our tag read lag (≤ 2 s). The confirmation mark is written this
 * long before the settle wait ends (never before `QUARANTINE_EFFECT_MS`), so its answer is there in time.
 */
export const ACK_WINDOW_MS = 20_000;

/** When a run writes the confirmation mark of candidates quarantined at `quarantinedMs`. */
export function confirmationDueMs(quarantinedMs: number, settleMs: number): number {
  return quarantinedMs + Math.max(QUARANTINE_EFFECT_MS, settleMs - ACK_WINDOW_MS);
}

/**
 * Guarantees 1 and 2 of docs/safety.md: the moment past which no job can be running on a runner
 * quarantined at `quarantinedMs`. A job can still be assigned until the quarantine has taken
 * effect, and start on the runner after its receive and spawn delays — all within the settle
 * period, which covers them (config/schema.ts, `settleSeconds`) — and then run for at most the
 * pool's maximum job duration. Until then a 404 on the DELETE of a JIT registration means "taken".
 */
export function retirementBoundMs(quarantinedMs: number, settleMs: number, maxJobMs: number): number {
  return quarantinedMs + settleMs + maxJobMs + BOUND_MARGIN_MS;
}

export function recheckVerdict(input: VerdictInput): Verdict {
  const { instance, expectRunner, markMs, quarantinedMs, nowMs, maxJobMs, settleMs } = input;
  // Whatever the agent says (or does not), past the bound nothing can run: the mark ends here.
  if (nowMs >= retirementBoundMs(quarantinedMs, settleMs, maxJobMs)) return { kind: 'backstop' };
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
    if (!ready) return { kind: 'busy', signal: 'agent' };
    // Idle, said in answer to a mark made before a last job could have started: not proof enough.
    const confirmed = !expectRunner || markMs >= quarantinedMs + QUARANTINE_EFFECT_MS;
    return confirmed ? { kind: 'retire' } : { kind: 'remark' };
  }
  // Not acknowledged. A busy REST flag or recent evidence still means work; so does a `busy`.
  if (signal !== undefined && signal !== 'agent') return { kind: 'busy', signal };
  if (agent?.state === 'busy') return { kind: 'busy', signal: 'agent' };
  if (agent !== undefined && agent.atMs > markMs) return { kind: 'remark' };
  return { kind: 'wait-ack' };
}
