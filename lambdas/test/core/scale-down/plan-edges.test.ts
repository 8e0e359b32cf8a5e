import { describe, expect, test } from '@jest/globals';
import { planScaleDown } from '../../../src/core/scale-down/plan.js';
import type { ObservedInstance } from '../../../src/core/scale-down/types.js';
import { RUNNER_CONFIG_TAG, TAG } from '../../../src/core/tags.js';
import { MIN } from '../world.js';
import {
  NOW,
  acked,
  config,
  inst,
  observe,
  outcomeOf,
  quarantined,
  quarantinedAt,
  quarantinedLabels,
  runner,
} from './plan-fixtures.js';

/**
 * The planner at its edges (issue 13, mutation testing): each time limit at the exact millisecond
 * it is reached and one before, a pool whose queue could not be read, and instances it must not
 * touch at all.
 */

const MIN_RUNNING = config.pools['repo']!.minimumRunningTimeMinutes * MIN;
const BOOT = config.pools['repo']!.bootTimeoutMinutes * MIN;
const SETTLE = config.settleSeconds * 1000;

/** An instance launched `ageMs` ago (the fixtures count in minutes). */
function aged(ageMs: number, over: Partial<ObservedInstance> = {}): ObservedInstance {
  return { ...inst(), launchTimeMs: NOW - ageMs, ...over };
}

describe('time limits, at the millisecond', () => {
  test('the minimum running time: reached, a candidate; a millisecond short, young', () => {
    expect(outcomeOf(observe([aged(MIN_RUNNING, { agent: { state: 'idle', atMs: NOW - MIN } })]))).toMatchObject({
      kind: 'retire',
    });
    expect(outcomeOf(observe([aged(MIN_RUNNING - 1, { agent: { state: 'idle', atMs: NOW - MIN } })]))).toMatchObject({
      reason: 'young',
    });
  });

  test('an agent silent since boot: at the boot timeout a candidate, a millisecond before still booting', () => {
    const silent = (ageMs: number) => {
      const { agent: _agent, ...rest } = aged(ageMs);
      return rest;
    };
    expect(outcomeOf(observe([silent(BOOT)]))).toMatchObject({ kind: 'retire' });
    expect(outcomeOf(observe([silent(BOOT - 1)]))).toMatchObject({ reason: 'busy', signal: 'agent' });
  });

  test('a reusable instance between registrations: within its boot window surplus, past it an orphan', () => {
    const reusable = { ...config, pools: { ...config.pools, repo: { ...config.pools['repo']!, ephemeral: false } } };
    const between = (sinceMs: number): ObservedInstance => {
      const { runner: _runner, ...rest } = aged(30 * MIN, { agent: { state: 'exited', atMs: NOW - sinceMs } });
      return rest;
    };
    expect(outcomeOf(observe([between(BOOT - 1)]), 'i-1', reusable)).toMatchObject({ kind: 'retire', from: 'mark' });
    expect(outcomeOf(observe([between(BOOT)]), 'i-1', reusable)).toMatchObject({ kind: 'tag-orphan' });
  });

  test('a quarantine still settling is resumed to wait out the rest; at its end the verdict decides', () => {
    const at = (nowMs: number) =>
      planScaleDown(
        observe([
          inst({ runner: quarantinedLabels, lifecycle: quarantined, agent: { state: 'idle', atMs: NOW - 20 * MIN } }),
        ]),
        config,
        nowMs,
      );
    const settling = at(quarantinedAt + SETTLE - 1);
    expect(settling.actions).toMatchObject([{ kind: 'retire', from: 'recheck', quarantinedMs: quarantinedAt }]);
    const settled = at(quarantinedAt + SETTLE);
    // No answer to the mark and no write since it: waiting for the acknowledgement.
    expect(settled.actions).toEqual([]);
    expect(settled.skipped).toMatchObject([{ instanceId: 'i-1', reason: 'retiring-wait' }]);
  });
});

describe('demand and instances left alone', () => {
  test('a pool whose queue could not be read has no waiting jobs: its idle runners are candidates', () => {
    const observation = { ...observe([inst()]), pools: { repo: { name: 'repo' }, org: { name: 'org' } } };
    expect(outcomeOf(observation)).toMatchObject({ kind: 'retire', from: 'mark' });
  });

  test('one job waiting keeps an idle runner out of retirement', () => {
    expect(outcomeOf(observe([inst()], { repo: 1 }))).toMatchObject({ reason: 'jobs-waiting' });
  });

  test.each([
    ['no pool', { pool: undefined } as Partial<ObservedInstance>, 'unknown-pool'],
    ['a pool this deployment does not have', { pool: 'gpu' }, 'unknown-pool'],
    ['no owner', { owner: undefined }, 'unknown-pool'],
    ['its owner not listed this run', { registrationKnown: false }, 'owner-not-listed'],
    ['bypass-removal', { bypassRemoval: true }, 'bypass-removal'],
  ])('%s: skipped, untouched', (_name, over, reason) => {
    const instance = { ...inst(), ...over } as ObservedInstance;
    const plan = planScaleDown(observe([instance]), config, NOW);
    expect(plan.actions).toEqual([]);
    expect(plan.skipped).toEqual([expect.objectContaining({ instanceId: 'i-1', reason })]);
  });

  test('a guard (a) failure already recorded on the instance is not recorded again', () => {
    const lateJob = { status: 'in_progress' as const, jobId: '42', atMs: quarantinedAt + SETTLE + MIN };
    const base = inst({ runner: quarantinedLabels, lifecycle: quarantined, evidence: lateJob });
    const recorded = { ...base, tags: { [TAG.guardAFailed]: '42' } };
    expect(planScaleDown(observe([base]), config, NOW).guardAFailures).toEqual([
      { instanceId: 'i-1', pool: 'repo', jobId: '42' },
    ]);
    expect(planScaleDown(observe([recorded]), config, NOW).guardAFailures).toEqual([]);
  });

  test('a candidate without a registration carries none', () => {
    const reusable = { ...config, pools: { ...config.pools, repo: { ...config.pools['repo']!, ephemeral: false } } };
    const { runner: _runner, ...between } = inst({ agent: { state: 'exited', atMs: NOW - MIN } });
    const action = outcomeOf(observe([between]), 'i-1', reusable);
    expect(action).toMatchObject({ kind: 'retire', from: 'mark' });
    expect(action).not.toHaveProperty('runnerId');
    expect(action).not.toHaveProperty('runner');
    const registered = outcomeOf(observe([inst({ runner: runner({ id: 9 }) })]));
    expect(registered).toMatchObject({ runnerId: 9, runner: { id: 9 } });
  });
});

describe('survivors of the mutation run, each a behaviour with no test before', () => {
  const reusable = { ...config, pools: { ...config.pools, repo: { ...config.pools['repo']!, ephemeral: false } } };
  const lifetimeMin = config.pools['repo']!.maximumLifetimeHours * 60;

  test('a marked instance past its lifetime resumes as past its lifetime, so no waiting job takes it back later', () => {
    // Prepare: quarantined by an earlier run, older than its lifetime; no job waits this run
    const old = inst({
      ageMin: lifetimeMin + 5,
      runner: quarantinedLabels,
      lifecycle: quarantined,
      agent: acked('idle'),
    });
    // Act
    const action = outcomeOf(observe([old]));
    // Assess: the flag the settle wait and the re-check read before giving a candidate back
    expect(action).toMatchObject({ kind: 'retire', pastLifetime: true });
    const young = inst({ runner: quarantinedLabels, lifecycle: quarantined, agent: acked('idle') });
    expect(outcomeOf(observe([young]))).toMatchObject({ kind: 'retire' });
    expect(outcomeOf(observe([young]))).not.toHaveProperty('pastLifetime');
  });

  test('a marked instance EC2 warned of a spot reclaim is not given back to waiting jobs, and stays flagged', () => {
    // Prepare: quarantined by an earlier run, idle; a job waits; EC2 reclaims it within two minutes
    const marked = inst({ runner: quarantinedLabels, lifecycle: quarantined, agent: acked('idle') });
    const warned = { ...marked, tags: { [TAG.spotInterruption]: String(NOW - 30_000) } };
    // Act / Assess: a job given to it would be lost with it; without the warning it would go back
    expect(outcomeOf(observe([warned], { repo: 1 }))).toMatchObject({ kind: 'retire', spotInterrupted: true });
    expect(outcomeOf(observe([marked], { repo: 1 }))).toMatchObject({ kind: 'return-to-service' });
  });

  test('an idle runner being drained is surplus even where the idle quota would keep it, the others kept', () => {
    // Prepare: a quota of one idle runner; two idle runners, the older drained at a rebalance recommendation
    const keepOne = {
      ...config,
      pools: {
        ...config.pools,
        repo: {
          ...config.pools['repo']!,
          idleConfig: [{ cron: '* * * * *', timeZone: 'UTC', idleCount: 1, evictionStrategy: 'newest_first' as const }],
        },
      },
    };
    const drained = { ...inst({ id: 'i-old', ageMin: 60 }), tags: { [TAG.spotRebalance]: String(NOW) } };
    const fresh = inst({ id: 'i-new', ageMin: 30 });
    // Act
    const observation = observe([drained, fresh]);
    // Assess: newest_first would evict i-new and keep i-old; a drained runner takes no job, so it goes
    expect(outcomeOf(observation, 'i-old', keepOne)).toMatchObject({ kind: 'retire', spotInterrupted: true });
    expect(outcomeOf(observation, 'i-new', keepOne)).toMatchObject({ reason: 'kept-idle' });
  });

  test('a reusable instance still booting, with neither an agent state nor a registration, is left booting', () => {
    const booting = inst({ ageMin: 2, runner: null, agent: null });
    expect(outcomeOf(observe([booting]), 'i-1', reusable)).toMatchObject({ reason: 'booting' });
  });

  test('an offline registration whose agent reports its runner exited follows the rules of no registration', () => {
    // Past the boot window since the exit: an orphan (tagged first), not a runner held busy by its agent
    const exited = inst({ runner: runner({ status: 'offline' }), agent: { state: 'exited', atMs: NOW - 20 * MIN } });
    expect(outcomeOf(observe([exited]))).toMatchObject({ kind: 'tag-orphan' });
  });

  test('a quarantine label beside another custom label is no quarantine: a job could match the other, so it is quarantined again', () => {
    const both = runner({
      labels: [
        { name: 'ghr-quarantine-i-1', type: 'custom' },
        { name: 'pool-a', type: 'custom' },
      ],
    });
    const marked = inst({ runner: both, lifecycle: quarantined, agent: acked('idle') });
    expect(outcomeOf(observe([marked]))).toMatchObject({ kind: 'retire', from: 'quarantine' });
  });

  test('an offline registration whose agent is alive and idle is retired through the protocol, not left to the orphan rules', () => {
    const idle = inst({ runner: runner({ status: 'offline' }), agent: { state: 'idle', atMs: NOW - MIN } });
    expect(outcomeOf(observe([idle]))).toMatchObject({ kind: 'retire', from: 'mark', runnerId: 7 });
  });
});

// A reusable instance whose next registration was prepared while its job runs (scale-up/recycle.ts):
// joined to the prepared one (offline), the job shows in the agent, in the job's own busy registration,
// or — once both are stale — nowhere, and then it is a dead agent's instance: an orphan, never a runner
// given back to jobs it could never take.
describe('a registration prepared while the job runs', () => {
  const maxJob = config.pools['repo']!.maxJobDurationMinutes * MIN;
  const prepared = (busySinceMs: number, over: Partial<ObservedInstance> = {}): ObservedInstance =>
    aged(maxJob + 60 * MIN, {
      runner: runner({ id: 9, status: 'offline', busy: false }),
      agent: { state: 'busy', jobId: '7', atMs: NOW - busySinceMs },
      ...over,
    });

  test('busy by the agent while its job can run, by REST when the job\u2019s own registration is busy', () => {
    expect(outcomeOf(observe([prepared(maxJob - 1)]))).toMatchObject({ reason: 'busy', signal: 'agent' });
    expect(outcomeOf(observe([prepared(maxJob, { earlierRunnerBusy: true })]))).toMatchObject({
      reason: 'busy',
      signal: 'rest',
    });
  });

  test('past the longest job with no other sign of work: an orphan (the agent is dead), not a candidate', () => {
    expect(outcomeOf(observe([prepared(maxJob)]))).toMatchObject({ kind: 'tag-orphan' });
  });
});

// A quarantine recorded when the runner proved taken (prepare.ts) keeps its time while the instance's
// registration stays the one it had then; a registration scale-up gave it after that time (a request
// that read its tags before the mark showed) may have taken a job unquarantined: the time starts again.
describe('a recorded quarantine time on an instance quarantined again', () => {
  const again = (readyMs: number) =>
    outcomeOf(
      observe([
        {
          ...inst({ lifecycle: quarantined }),
          tags: { [RUNNER_CONFIG_TAG]: `ready@${readyMs}` },
        },
      ]),
    );

  test('kept for the registration it had then, not for one given after it', () => {
    expect(again(quarantinedAt)).toMatchObject({ kind: 'retire', from: 'quarantine', quarantinedMs: quarantinedAt });
    expect(again(quarantinedAt + 1)).toMatchObject({ kind: 'retire', from: 'quarantine' });
    expect(again(quarantinedAt + 1)).not.toHaveProperty('quarantinedMs');
  });
});
