import { describe, expect, test } from '@jest/globals';
import {
  confirmationDueMs,
  recheckVerdict,
  retirementBoundMs,
  BOUND_MARGIN_MS,
  QUARANTINE_EFFECT_MS,
  type Verdict,
} from '../../../src/core/scale-down/verdict.js';
import type { ObservedInstance } from '../../../src/core/scale-down/types.js';
import type { AgentState, JobEvidence } from '../../../src/core/tags.js';
import { MIN, REPO, T0 } from '../world.js';

const MARK = T0 - 2 * MIN;
const QUAR = MARK + 1000;
const MAX_JOB = 360 * MIN;
const SETTLE = 90_000;
const BOUND = retirementBoundMs(QUAR, SETTLE, MAX_JOB);
/** A confirmation mark: made once the quarantine had surely taken effect. */
const CONFIRM = QUAR + QUARANTINE_EFFECT_MS;

function instance(opts: {
  runner?: { busy: boolean } | null;
  agent?: AgentState;
  evidence?: JobEvidence;
}): ObservedInstance {
  return {
    instanceId: 'i-1',
    state: 'running',
    launchTimeMs: T0 - 60 * MIN,
    pool: 'repo',
    owner: REPO,
    ownerKey: 'acme/app',
    ...(opts.runner
      ? { runner: { id: 1, name: 'i-1', os: 'linux', status: 'online', busy: opts.runner.busy, labels: [] } }
      : {}),
    registrationKnown: true,
    ...(opts.agent ? { agent: opts.agent } : {}),
    ...(opts.evidence ? { evidence: opts.evidence } : {}),
    bypassRemoval: false,
    tags: {},
  };
}

const ack = (state: AgentState['state'], extra: Partial<AgentState> = {}): AgentState => ({
  state,
  atMs: MARK + 3000,
  ackMarkMs: MARK,
  ...extra,
});

describe('retirementBoundMs', () => {
  test('quarantine time + settle + maximum job duration + the margin', () => {
    expect(retirementBoundMs(QUAR, SETTLE, MAX_JOB) - QUAR).toBe(SETTLE + MAX_JOB + BOUND_MARGIN_MS);
    expect(BOUND_MARGIN_MS).toBe(5 * MIN);
  });
});

describe('confirmationDueMs', () => {
  test.each([
    // settle − the answer window, but never before the quarantine has surely taken effect
    [90_000, 70_000],
    [70_000, QUARANTINE_EFFECT_MS],
  ])('settle %i ms: the confirmation mark is due %i ms after the quarantine', (settleMs, afterMs) => {
    expect(confirmationDueMs(QUAR, settleMs) - QUAR).toBe(afterMs);
  });
});

describe('recheckVerdict', () => {
  type Row = [string, Parameters<typeof instance>[0], boolean, number, Verdict['kind'], string, number?];
  const rows: Row[] = [
    [
      'acknowledged idle, REST idle, to a confirmation mark: retire',
      { runner: { busy: false }, agent: ack('idle', { ackMarkMs: CONFIRM }) },
      true,
      T0,
      'retire',
      '',
      CONFIRM,
    ],
    [
      // Issue 13 (explorer): the answer may predate a last job; an agent that died after it never tells.
      'acknowledged idle to a mark made before the quarantine took effect: remark, not retire',
      { runner: { busy: false }, agent: ack('idle') },
      true,
      T0,
      'remark',
      '',
    ],
    [
      'acknowledged busy: busy (agent)',
      { runner: { busy: false }, agent: ack('busy', { jobId: '5' }) },
      true,
      T0,
      'busy',
      'agent',
    ],
    ['REST busy wins over an idle ack', { runner: { busy: true }, agent: ack('idle') }, true, T0, 'busy', 'rest'],
    [
      'in-progress evidence wins over an idle ack',
      {
        runner: { busy: false },
        agent: ack('idle', { atMs: MARK }),
        evidence: { status: 'in_progress', jobId: '5', atMs: MARK + 10_000 },
      },
      true,
      T0,
      'busy',
      'evidence',
    ],
    ['runner gone: taken, never idle', { runner: null, agent: ack('idle') }, true, T0, 'taken', ''],
    [
      'ack of an older mark does not count',
      { runner: { busy: false }, agent: { state: 'idle', atMs: MARK - 5000, ackMarkMs: MARK - 60_000 } },
      true,
      T0,
      'wait-ack',
      '',
    ],
    [
      'no ack, agent wrote after the mark: remark',
      { runner: { busy: false }, agent: { state: 'idle', atMs: MARK + 5000 } },
      true,
      T0,
      'remark',
      '',
    ],
    [
      'no ack, REST busy, agent silent: busy (rest), whatever the agent last wrote',
      { runner: { busy: true }, agent: { state: 'idle', atMs: MARK + 5000 } },
      true,
      T0,
      'busy',
      'rest',
    ],
    [
      'no ack, agent wrote at the very moment of the mark: wait (not newer than the mark)',
      { runner: { busy: false }, agent: { state: 'idle', atMs: MARK } },
      true,
      T0,
      'wait-ack',
      '',
    ],
    [
      'no ack, agent silent, a moment before the bound: still waiting (guarantee 1)',
      { runner: { busy: false }, agent: { state: 'idle', atMs: MARK - 5000 } },
      true,
      BOUND - 1,
      'wait-ack',
      '',
    ],
    [
      'no ack, agent silent, before backstop: wait',
      { runner: { busy: false }, agent: { state: 'idle', atMs: MARK - 5000 } },
      true,
      T0,
      'wait-ack',
      '',
    ],
    [
      'no ack, agent silent, past quarantine + max job but before the bound: still waiting (guarantee 1)',
      { runner: { busy: false }, agent: { state: 'idle', atMs: MARK - 5000 } },
      true,
      QUAR + MAX_JOB,
      'wait-ack',
      '',
    ],
    [
      'no ack, agent silent, at the bound: backstop',
      { runner: { busy: false }, agent: { state: 'idle', atMs: MARK - 5000 } },
      true,
      BOUND,
      'backstop',
      '',
    ],
    [
      'no ack, stale busy from before quarantine, just before the bound: busy',
      { runner: { busy: false }, agent: { state: 'busy', jobId: '1', atMs: MARK - 5000 } },
      true,
      BOUND - 1,
      'busy',
      'agent',
    ],
    [
      'acknowledged busy, then silent: backstop at the bound (guarantee 2)',
      { runner: { busy: false }, agent: ack('busy', { jobId: '1', atMs: QUAR + 5000 }) },
      true,
      BOUND,
      'backstop',
      '',
    ],
    [
      'REST busy at the bound: backstop (no job that could start can still run)',
      { runner: { busy: true }, agent: { state: 'idle', atMs: MARK - 5000 } },
      true,
      BOUND,
      'backstop',
      '',
    ],
    [
      'runner gone and agent silent at the bound: backstop, not taken forever',
      { runner: null },
      true,
      BOUND,
      'backstop',
      '',
    ],
    [
      // A busy older than the maximum job duration is no sign of work, but no answer of idle either.
      'acknowledged busy older than the maximum job duration, to a confirmation mark: still busy, not retire',
      { runner: { busy: false }, agent: ack('busy', { jobId: '1', atMs: T0 - MAX_JOB - MIN, ackMarkMs: CONFIRM }) },
      true,
      T0,
      'busy',
      'agent',
      CONFIRM,
    ],
    [
      'no ack, agent says its runner exited after the mark (a registered runner expected): remark, not busy',
      { runner: { busy: false }, agent: { state: 'exited', atMs: MARK + 5000 } },
      true,
      T0,
      'remark',
      '',
    ],
    ['no ack, no agent state at all: wait for one', { runner: { busy: false } }, true, T0, 'wait-ack', ''],
    ['between registrations: acked exited: retire', { runner: null, agent: ack('exited') }, false, T0, 'retire', ''],
    [
      'between registrations: acked idle means a runner started: busy',
      { runner: null, agent: ack('idle') },
      false,
      T0,
      'busy',
      'agent',
    ],
    [
      'between registrations but now registered: registered',
      { runner: { busy: false }, agent: ack('idle') },
      false,
      T0,
      'registered',
      '',
    ],
  ];

  test.each(rows)('%s', (_name, spec, expectRunner, nowMs, kind, signal, markMs = MARK) => {
    // Act
    const verdict = recheckVerdict({
      instance: instance(spec),
      expectRunner,
      markMs,
      quarantinedMs: QUAR,
      nowMs,
      maxJobMs: MAX_JOB,
      settleMs: SETTLE,
    });
    // Assess
    expect(verdict.kind).toBe(kind);
    if (signal !== '') expect(verdict).toEqual({ kind: 'busy', signal });
  });
});
