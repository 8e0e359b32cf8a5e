import { describe, expect, test } from '@jest/globals';
import {
  NOW,
  runner,
  Spec,
  inst,
  observe,
  Outcome,
  outcomeOf,
  quarantinedLabels,
  mark,
  quarantinedAt,
  quarantined,
  acked,
} from './plan-fixtures.js';
import { MIN } from '../world.js';

describe('planScaleDown: one instance, one rule per row', () => {
  const rows: [string, Spec, Record<string, number>, Outcome][] = [
    ['idle by every signal, no quota: retire from the mark', {}, {}, { kind: 'retire', from: 'mark', runnerId: 7 }],
    [
      'REST busy: skipped by the rest signal',
      { runner: runner({ busy: true }) },
      {},
      { reason: 'busy', signal: 'rest' },
    ],
    [
      'agent busy: skipped by the agent signal',
      { agent: { state: 'busy', jobId: '9', atMs: NOW - MIN } },
      {},
      { reason: 'busy', signal: 'agent' },
    ],
    [
      'agent state missing within the boot timeout: not idle by every signal',
      { agent: null, ageMin: 7 },
      {},
      { reason: 'busy', signal: 'agent' },
    ],
    [
      // Issue 13 (explorer): kept as busy, it ran forever. It never acknowledges: the backstop ends it.
      'agent silent since boot, past the boot timeout: a candidate',
      { agent: null },
      {},
      { kind: 'retire', from: 'mark' },
    ],
    [
      'agent silent since boot, in-progress evidence: skipped by evidence',
      { agent: null, evidence: { status: 'in_progress', jobId: '9', atMs: NOW - MIN } },
      {},
      { reason: 'busy', signal: 'evidence' },
    ],
    [
      'in-progress evidence: skipped by evidence',
      { evidence: { status: 'in_progress', jobId: '9', atMs: NOW - MIN } },
      {},
      { reason: 'busy', signal: 'evidence' },
    ],
    [
      'completed evidence: idle',
      { evidence: { status: 'completed', jobId: '9', atMs: NOW - MIN } },
      {},
      { kind: 'retire' },
    ],
    [
      'in-progress evidence older than the max job duration: stale',
      { evidence: { status: 'in_progress', jobId: '9', atMs: NOW - 400 * MIN } },
      {},
      { kind: 'retire' },
    ],
    [
      'in-progress evidence followed by a later agent idle: ended',
      {
        evidence: { status: 'in_progress', jobId: '9', atMs: NOW - 10 * MIN },
        agent: { state: 'idle', atMs: NOW - 2 * MIN },
      },
      {},
      { kind: 'retire' },
    ],
    ['within minimum running time: young', { ageMin: 3 }, {}, { reason: 'young' }],
    ['bypass-removal tag: never touched', { bypass: true }, {}, { reason: 'bypass-removal' }],
    ['owner list failed: no decision', { listed: false }, {}, { reason: 'owner-not-listed' }],
    ['unknown pool: left alone', { pool: 'other' }, {}, { reason: 'unknown-pool' }],
    ['jobs waiting in the pool: no new retirement', {}, { repo: 2 }, { reason: 'jobs-waiting' }],
    // Orphans and unregistered instances
    ['unregistered within boot timeout: booting', { runner: null, ageMin: 5, agent: null }, {}, { reason: 'booting' }],
    [
      'unregistered past boot timeout: tag orphan first',
      { runner: null, ageMin: 30, agent: null },
      {},
      { kind: 'tag-orphan' },
    ],
    [
      'orphan tagged earlier, no life since: terminate',
      { runner: null, ageMin: 30, agent: null, orphanSinceMs: NOW - 5 * MIN },
      {},
      { kind: 'terminate-orphan', orphanSinceMs: NOW - 5 * MIN },
    ],
    [
      'orphan tagged, agent wrote since: clear the tag',
      { runner: null, ageMin: 60, agent: { state: 'idle', atMs: NOW - MIN }, orphanSinceMs: NOW - 5 * MIN },
      {},
      { kind: 'clear-orphan' },
    ],
    [
      'unregistered with agent busy: a JIT job consumed the registration',
      { runner: null, agent: { state: 'busy', jobId: '3', atMs: NOW - 20 * MIN } },
      {},
      { reason: 'busy', signal: 'agent' },
    ],
    [
      'unregistered with in-progress evidence: working',
      { runner: null, agent: null, evidence: { status: 'in_progress', jobId: '3', atMs: NOW - MIN } },
      {},
      { reason: 'busy', signal: 'evidence' },
    ],
    ['registered again with an orphan tag: clear it', { orphanSinceMs: NOW - MIN }, {}, { kind: 'clear-orphan' }],
    [
      'ephemeral pool, agent exited long ago, no runner: orphan',
      { runner: null, agent: { state: 'exited', atMs: NOW - 20 * MIN } },
      {},
      { kind: 'tag-orphan' },
    ],
    [
      'registered offline, agent never wrote, past boot timeout: a failed boot, orphan',
      { runner: runner({ status: 'offline' }), agent: null },
      {},
      { kind: 'tag-orphan' },
    ],
    [
      'registered offline, agent never wrote, within boot timeout: booting',
      { runner: runner({ status: 'offline' }), agent: null, ageMin: 4 },
      {},
      { reason: 'booting' },
    ],
    [
      'agent busy, but the webhook recorded that job completed: idle',
      {
        agent: { state: 'busy', jobId: '9', atMs: NOW - 10 * MIN },
        evidence: { status: 'completed', jobId: '9', atMs: NOW - 2 * MIN },
      },
      {},
      { kind: 'retire' },
    ],
    [
      'agent busy, another job completed: busy',
      {
        agent: { state: 'busy', jobId: '9', atMs: NOW - 10 * MIN },
        evidence: { status: 'completed', jobId: '8', atMs: NOW - 12 * MIN },
      },
      {},
      { reason: 'busy', signal: 'agent' },
    ],
    [
      'agent busy for longer than the max job duration: stale',
      { agent: { state: 'busy', jobId: '9', atMs: NOW - 400 * MIN }, ageMin: 500 },
      {},
      { kind: 'retire' },
    ],
    [
      'unregistered, dead agent still says busy with a completed job: orphan',
      {
        runner: null,
        agent: { state: 'busy', jobId: '9', atMs: NOW - 30 * MIN },
        evidence: { status: 'completed', jobId: '9', atMs: NOW - 10 * MIN },
      },
      {},
      { kind: 'tag-orphan' },
    ],
    // The retiring state machine
    [
      'marked, not quarantined: resume at the quarantine',
      { lifecycle: { phase: 'retiring', markMs: mark } },
      {},
      { kind: 'retire', from: 'quarantine', markMs: mark },
    ],
    [
      'quarantined, acknowledged, idle: re-check',
      { lifecycle: quarantined, runner: quarantinedLabels, agent: acked('idle') },
      {},
      { kind: 'retire', from: 'recheck', quarantinedMs: quarantinedAt },
    ],
    [
      'quarantined but labels restored by someone: quarantine again',
      { lifecycle: quarantined, agent: acked('idle') },
      {},
      { kind: 'retire', from: 'quarantine' },
    ],
    [
      'quarantined, acknowledged busy: left retiring',
      { lifecycle: quarantined, runner: quarantinedLabels, agent: acked('busy') },
      {},
      { reason: 'retiring-wait', signal: 'agent' },
    ],
    [
      'quarantined, REST busy: left retiring',
      { lifecycle: quarantined, runner: { ...quarantinedLabels, busy: true }, agent: acked('idle') },
      {},
      { reason: 'retiring-wait', signal: 'rest' },
    ],
    [
      'quarantined, no ack, agent silent: wait for the backstop',
      { lifecycle: quarantined, runner: quarantinedLabels, agent: { state: 'idle', atMs: mark - MIN } },
      {},
      { reason: 'retiring-wait' },
    ],
    [
      'quarantined, no ack, agent wrote since the mark: ask again',
      { lifecycle: quarantined, runner: quarantinedLabels, agent: { state: 'idle', atMs: mark + MIN } },
      {},
      { kind: 'retire', from: 'recheck' },
    ],
    [
      'quarantined, silent past the retirement bound: backstop',
      {
        lifecycle: { phase: 'quarantined', markMs: NOW - 400 * MIN, quarantinedMs: NOW - 399 * MIN },
        runner: quarantinedLabels,
        agent: { state: 'idle', atMs: NOW - 401 * MIN },
      },
      {},
      { kind: 'retire', from: 'recheck' },
    ],
    [
      'quarantined within settle (earlier run stopped): re-check after the rest of settle',
      {
        lifecycle: { phase: 'quarantined', markMs: NOW - 30_000, quarantinedMs: NOW - 20_000 },
        runner: quarantinedLabels,
        agent: null,
      },
      {},
      { kind: 'retire', from: 'recheck' },
    ],
    [
      'quarantined and jobs waiting: return to service',
      { lifecycle: quarantined, runner: quarantinedLabels, agent: acked('idle') },
      { repo: 1 },
      { kind: 'return-to-service', runnerId: 7 },
    ],
    [
      'quarantined, runner gone, agent exited and acked: terminate (nothing to lose)',
      { lifecycle: quarantined, runner: null, agent: acked('exited') },
      {},
      { kind: 'retire', from: 'recheck' },
    ],
    [
      'quarantined, runner gone, agent busy: taken by a job, left',
      { lifecycle: quarantined, runner: null, agent: acked('busy') },
      {},
      { reason: 'retiring-wait', signal: 'agent' },
    ],
    [
      'quarantined, runner gone, jobs waiting: the mark is cleared for scale-up',
      { lifecycle: quarantined, runner: null, agent: acked('busy') },
      { repo: 3 },
      { kind: 'return-to-service' },
    ],
    [
      'org runner quarantined but seen in its pool group: quarantine again',
      { org: true, lifecycle: quarantined, runner: runner({ runnerGroupId: 1 }), agent: acked('idle') },
      {},
      { kind: 'retire', from: 'quarantine' },
    ],
    [
      'org runner in the quarantine group, acked idle: re-check',
      { org: true, lifecycle: quarantined, runner: runner({ runnerGroupId: 100 }), agent: acked('idle') },
      {},
      { kind: 'retire', from: 'recheck' },
    ],
    [
      'bypass-removal wins over a lifecycle mark',
      { bypass: true, lifecycle: quarantined },
      {},
      { reason: 'bypass-removal' },
    ],
  ];

  test.each(rows)('%s', (_name, spec, depth, expected) => {
    // Prepare
    const observation = observe([inst(spec)], depth);
    // Act
    const outcome = outcomeOf(observation);
    // Assess
    expect(outcome).toMatchObject(expected);
  });
});
