import { describe, expect, test } from '@jest/globals';
import {
  EVIDENCE_SKEW_MS,
  agentShowsWork,
  evidenceShowsWork,
  jobPastQuarantine,
} from '../../../src/core/scale-down/signals.js';
import type { ObservedInstance } from '../../../src/core/scale-down/types.js';
import type { AgentState, JobEvidence, Lifecycle } from '../../../src/core/tags.js';
import { MIN, REPO, T0 } from '../world.js';

/** The edges of the work signals (docs/safety.md): each bound is exclusive on one side, inclusive on the other. */

const MAX_JOB = 60 * MIN;
const SETTLE = 90_000;

function instance(spec: { agent?: AgentState; evidence?: JobEvidence; lifecycle?: Lifecycle }): ObservedInstance {
  return {
    instanceId: 'i-1',
    state: 'running',
    launchTimeMs: T0 - 2 * MAX_JOB,
    pool: 'repo',
    owner: REPO,
    ownerKey: 'acme/app',
    registrationKnown: true,
    ...spec,
    bypassRemoval: false,
    tags: {},
  };
}

describe('evidenceShowsWork', () => {
  const inProgress = (atMs: number): JobEvidence => ({ status: 'in_progress', jobId: '7', atMs });
  test.each([
    ['recorded just under the maximum job duration ago', inProgress(T0 - MAX_JOB + 1), undefined, true],
    [
      'recorded exactly the maximum job duration ago: stale (a lost `completed`)',
      inProgress(T0 - MAX_JOB),
      undefined,
      false,
    ],
    [
      'an `idle` written exactly the skew after it: still work',
      inProgress(T0 - MIN),
      { state: 'idle', atMs: T0 - MIN + EVIDENCE_SKEW_MS } as AgentState,
      true,
    ],
    [
      'an `idle` written more than the skew after it: the job ended',
      inProgress(T0 - 2 * MIN),
      { state: 'idle', atMs: T0 - 2 * MIN + EVIDENCE_SKEW_MS + 1 } as AgentState,
      false,
    ],
    [
      'a `busy` written long after it: still work',
      inProgress(T0 - 2 * MIN),
      { state: 'busy', jobId: '7', atMs: T0 } as AgentState,
      true,
    ],
  ])('%s', (_name, evidence, agent, expected) => {
    expect(evidenceShowsWork(instance({ evidence, ...(agent ? { agent } : {}) }), T0, MAX_JOB)).toBe(expected);
  });
});

describe('agentShowsWork', () => {
  test.each([
    ['busy written just under the maximum job duration ago', T0 - MAX_JOB + 1, true],
    ['busy written exactly the maximum job duration ago: stale', T0 - MAX_JOB, false],
  ])('%s', (_name, atMs, expected) => {
    expect(agentShowsWork(instance({ agent: { state: 'busy', jobId: '7', atMs } }), T0, MAX_JOB)).toBe(expected);
  });

  test('a busy for the job the webhook recorded completed is not work; for another job it is', () => {
    const agent: AgentState = { state: 'busy', jobId: '7', atMs: T0 - MIN };
    const completed = (jobId: string): JobEvidence => ({ status: 'completed', jobId, atMs: T0 });
    expect(agentShowsWork(instance({ agent, evidence: completed('7') }), T0, MAX_JOB)).toBe(false);
    expect(agentShowsWork(instance({ agent, evidence: completed('8') }), T0, MAX_JOB)).toBe(true);
  });
});

describe('jobPastQuarantine (guard a, from signed evidence)', () => {
  const quarantinedMs = T0 - 10 * MIN;
  const lifecycle: Lifecycle = { phase: 'quarantined', markMs: quarantinedMs - 1000, quarantinedMs };
  test.each([
    ['a job recorded exactly when the quarantine took effect: not a failure', quarantinedMs + SETTLE, undefined],
    ['a job recorded after it: a failure', quarantinedMs + SETTLE + 1, '9'],
  ])('%s', (_name, atMs, expected) => {
    const evidence: JobEvidence = { status: 'in_progress', jobId: '9', atMs };
    expect(jobPastQuarantine(instance({ lifecycle, evidence }), SETTLE)).toBe(expected);
  });

  test('a retiring (not yet quarantined) runner has no guard (a) to fail', () => {
    const evidence: JobEvidence = { status: 'in_progress', jobId: '9', atMs: T0 };
    const retiring: Lifecycle = { phase: 'retiring', markMs: quarantinedMs };
    expect(jobPastQuarantine(instance({ lifecycle: retiring, evidence }), SETTLE)).toBeUndefined();
  });
});
