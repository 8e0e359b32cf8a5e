import type { BusySignal, ObservedInstance } from './types.js';

/**
 * Clock skew tolerated between the webhook's evidence time and the agent's state time: an
 * `idle` written this long after an `in_progress` record means that job has ended
 * (the agent writes its current state, serially; architecture.md §3).
 */
export const EVIDENCE_SKEW_MS = 60_000;

/**
 * The webhook's job evidence shows work when it records a job in progress, unless that record
 * is older than the maximum job duration (a lost `completed` webhook, world-model.md "webhook
 * loss") or the agent has since written a non-busy state.
 */
export function evidenceShowsWork(instance: ObservedInstance, nowMs: number, maxJobMs: number): boolean {
  const evidence = instance.evidence;
  if (evidence?.status !== 'in_progress') return false;
  if (nowMs - evidence.atMs >= maxJobMs) return false;
  const agent = instance.agent;
  if (agent !== undefined && agent.state !== 'busy' && agent.atMs > evidence.atMs + EVIDENCE_SKEW_MS) return false;
  return true;
}

/**
 * The agent's `busy` shows work, unless the webhook recorded that very job as completed (the
 * agent died before writing `idle`, or its write lags: callers that terminate on this still
 * wait for a later run with no newer agent write), or it is older than the maximum job duration.
 */
export function agentShowsWork(instance: ObservedInstance, nowMs: number, maxJobMs: number): boolean {
  const agent = instance.agent;
  if (agent?.state !== 'busy') return false;
  if (nowMs - agent.atMs >= maxJobMs) return false;
  const evidence = instance.evidence;
  return !(evidence?.status === 'completed' && agent.jobId !== undefined && evidence.jobId === agent.jobId);
}

/** The first signal that shows (or might show) work on a registered runner; undefined when idle by every signal. */
export function registeredWorkSignal(
  instance: ObservedInstance,
  nowMs: number,
  maxJobMs: number,
): BusySignal | undefined {
  // REST `busy` lags and can read false mid-job (world-model.md): necessary, never sufficient.
  if (instance.runner?.busy === true || instance.earlierRunnerBusy === true) return 'rest';
  const agent = instance.agent;
  if (agent?.state !== 'idle' && (agent?.state !== 'busy' || agentShowsWork(instance, nowMs, maxJobMs))) return 'agent';
  if (evidenceShowsWork(instance, nowMs, maxJobMs)) return 'evidence';
  return undefined;
}

/**
 * Work on an instance with no registration in the list: a JIT runner's assignment consumes its
 * registration, so a running job shows only in the agent's state or the webhook's evidence
 * (world-model.md, "ephemeral (JIT) runner").
 */
export function unregisteredWorkSignal(
  instance: ObservedInstance,
  nowMs: number,
  maxJobMs: number,
): BusySignal | undefined {
  if (instance.earlierRunnerBusy === true) return 'rest';
  if (agentShowsWork(instance, nowMs, maxJobMs)) return 'agent';
  if (evidenceShowsWork(instance, nowMs, maxJobMs)) return 'evidence';
  return undefined;
}

/**
 * Guard (a) of docs/safety.md failed: a job started on a quarantined runner after the quarantine had
 * surely taken effect (its time + the settle wait, which covers propagation, receive and spawn).
 * That job's id, from the webhook's signed evidence only; undefined when it shows none. GitHub
 * then behaves differently from the world model; guard (b) or the re-check still keeps the job.
 * Not from the agent's `busy`: a job can write its instance's agent tag (docs/threat-model.md) and
 * would raise this alarm at will. A lost `in_progress` webhook leaves a failure unreported (the
 * simulator's accounting counts every one on the world's truth, `guards`).
 */
export function jobPastQuarantine(instance: ObservedInstance, settleMs: number): string | undefined {
  const lifecycle = instance.lifecycle;
  if (lifecycle?.phase !== 'quarantined') return undefined;
  const effectiveMs = lifecycle.quarantinedMs + settleMs;
  const evidence = instance.evidence;
  if (evidence?.status === 'in_progress' && evidence.atMs > effectiveMs) return evidence.jobId;
  return undefined;
}

export function quarantineLabel(instanceId: string): string {
  return `ghr-quarantine-${instanceId}`;
}

/** A repo runner is quarantined when its only custom label is its quarantine label. */
export function hasQuarantineLabels(instance: ObservedInstance): boolean {
  const custom = (instance.runner?.labels ?? []).filter((l) => l.type === 'custom').map((l) => l.name);
  return custom.length === 1 && custom[0] === quarantineLabel(instance.instanceId);
}
