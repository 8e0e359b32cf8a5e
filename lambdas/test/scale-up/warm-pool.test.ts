import { describe, expect, it } from '@jest/globals';
import type { PoolConfig } from '../../src/config/schema.js';
import { handleScaleUpInvocation } from '../../src/core/scale-up/scale-up.js';
import {
  isReadyForWork,
  topUpCount,
  WARM_POOL_EVENT,
  WarmPoolError,
  type WarmPoolReport,
} from '../../src/core/scale-up/warm-pool.js';
import { encodeAgentState, encodeJobEvidence, encodeLifecycle, TAG } from '../../src/core/tags.js';
import type { FleetInstance } from '../../src/ports/index.js';
import { existingInstance, poolInstances, recorder, scaleUpConfig, world, type World } from './fixtures.js';

const NOW = Date.UTC(2026, 10, 28, 6, 0, 0);
const MINUTE = 60_000;
const always = (size: number) => ({ warmPool: [{ cron: '* * * * *', size }] });

function instance(tags: Record<string, string>): FleetInstance {
  return {
    instanceId: 'i-0123456789abcdef0',
    state: 'running',
    launchTimeMs: NOW - 10 * MINUTE,
    instanceType: 'm7i.large',
    lifecycle: 'spot',
    tags: { [TAG.pool]: 'linux', ...tags },
  };
}

const agent = (state: 'idle' | 'busy' | 'exited') => ({
  [TAG.agentState]: encodeAgentState({ state, atMs: NOW - MINUTE, ...(state === 'busy' ? { jobId: 'build' } : {}) }),
});
const evidence = (status: 'in_progress' | 'completed', atMs = NOW - MINUTE) => ({
  [TAG.jobEvidence]: encodeJobEvidence({ status, jobId: '7', atMs }),
});

describe('isReadyForWork: what can take the pool next job', () => {
  const ephemeral = scaleUpConfig().pools['linux']!;
  const reusable = scaleUpConfig().pools['warm']!;
  it.each<[string, PoolConfig, Record<string, string>, boolean]>([
    ['booting (no agent word yet)', ephemeral, {}, true],
    ['idle', ephemeral, agent('idle'), true],
    ['busy by its agent', ephemeral, agent('busy'), false],
    ['ephemeral, exited: ending', ephemeral, agent('exited'), false],
    ['reusable, exited: between registrations', reusable, agent('exited'), true],
    [
      'retiring (scale-down marked it)',
      reusable,
      { ...agent('idle'), [TAG.lifecycle]: encodeLifecycle({ phase: 'retiring', markMs: NOW }) },
      false,
    ],
    ['warned of a spot reclaim', ephemeral, { ...agent('idle'), [TAG.spotInterruption]: String(NOW) }, false],
    ['drained at a rebalance recommendation', ephemeral, { ...agent('idle'), [TAG.spotRebalance]: String(NOW) }, false],
    ['lying idle under a job the webhook saw start', reusable, { ...agent('idle'), ...evidence('in_progress') }, false],
    ['ephemeral whose one job completed', ephemeral, { ...agent('idle'), ...evidence('completed') }, false],
    ['reusable whose last job completed', reusable, { ...agent('idle'), ...evidence('completed') }, true],
    [
      'reusable, a start older than the longest job (its completed was lost)',
      reusable,
      { ...agent('idle'), ...evidence('in_progress', NOW - 361 * MINUTE) },
      true,
    ],
  ])('%s → %s', (_name, pool, tags, expected) => {
    expect(isReadyForWork(instance(tags), pool, NOW)).toBe(expected);
  });
});

describe('topUpCount', () => {
  it.each([
    [{ size: 5, ready: 2, live: 4, maxRunners: 10 }, 3],
    [{ size: 5, ready: 5, live: 9, maxRunners: 10 }, 0],
    [{ size: 5, ready: 7, live: 9, maxRunners: 10 }, 0],
    [{ size: 5, ready: 0, live: 8, maxRunners: 10 }, 2],
    [{ size: 5, ready: 0, live: 12, maxRunners: 10 }, 0],
    [{ size: 0, ready: 0, live: 0, maxRunners: 10 }, 0],
  ])('%j → %d', (input, expected) => {
    expect(topUpCount(input)).toBe(expected);
  });
});

async function topUp(w: World, config = scaleUpConfig({}, always(3))) {
  const r = recorder();
  const report = (await handleScaleUpInvocation(WARM_POOL_EVENT, w.deps, {
    config,
    log: r.log,
    metrics: r.metrics,
  })) as WarmPoolReport;
  return { report, r };
}

describe('the warm-pool top-up (scale-up on its one-minute schedule)', () => {
  it('launches JIT-registered runners up to the size, counting the ready ones it has', async () => {
    // Prepare: one idle runner, one busy one
    const w = world();
    await existingInstance(w, 'linux', agent('idle'));
    await existingInstance(w, 'linux', agent('busy'));
    // Act
    const { report, r } = await topUp(w, scaleUpConfig({}, { ...always(3), maxRunners: 10 }));
    // Assess: 3 wanted, 1 ready: 2 launched, each with its own registration
    expect(report.pools).toEqual([{ pool: 'linux', size: 3, ready: 1, launched: 2 }]);
    expect(await poolInstances(w)).toHaveLength(4);
    expect(await w.github.listRunners({ kind: 'org', org: 'acme' })).toHaveLength(2);
    expect(r.counts.get('WarmPoolLaunched')).toBe(2);
  });

  it('never launches past the pool maximum', async () => {
    const w = world();
    await existingInstance(w, 'linux', agent('busy'));
    await existingInstance(w, 'linux', agent('busy'));
    const { report } = await topUp(w, scaleUpConfig({}, always(3)));
    // maxRunners 3, 2 live: one more at most
    expect(report.pools[0]?.launched).toBe(1);
    expect(await poolInstances(w)).toHaveLength(3);
  });

  it('launches nothing while no rule matches, nor for a pool without one', async () => {
    const w = world();
    // 06:00 UTC on a Saturday: a weekday office-hours rule does not match
    const { report } = await topUp(w, scaleUpConfig({}, { warmPool: [{ cron: '* 8-17 * * 1-5', size: 3 }] }));
    expect(report.pools).toEqual([]);
    expect(await poolInstances(w)).toHaveLength(0);
    expect(w.seams.fleetRequests).toEqual([]);
  });

  it('the first matching rule gives the size, in its time zone', async () => {
    const w = world();
    // 06:00 UTC is 07:00 in Amsterdam (CET, 28 Nov)
    const rules = [
      { cron: '* 7 * * *', timeZone: 'Europe/Amsterdam', size: 2 },
      { cron: '* * * * *', size: 3 },
    ];
    const { report } = await topUp(w, scaleUpConfig({}, { warmPool: rules }));
    expect(report.pools[0]).toMatchObject({ size: 2, launched: 2 });
  });

  it('a pool whose top-up fails is counted and logged, the others are topped up, and the run fails for the error alarm', async () => {
    // Prepare: two warm pools; the first's launches are refused
    const w = world();
    const config = scaleUpConfig({}, always(2));
    config.pools['warm'] = {
      ...config.pools['warm']!,
      warmPool: always(2).warmPool.map((r) => ({ ...r, timeZone: 'UTC' })),
    };
    let calls = 0;
    const createFleet = w.ec2.createFleet;
    w.ec2.createFleet = (request) => (calls++ === 0 ? Promise.reject(new Error('refused')) : createFleet(request));
    const r = recorder();
    // Act
    const attempt = handleScaleUpInvocation(WARM_POOL_EVENT, w.deps, { config, log: r.log, metrics: r.metrics });
    // Assess
    const error = (await attempt.catch((e: unknown) => e)) as WarmPoolError;
    expect(error).toBeInstanceOf(WarmPoolError);
    expect(error.failedPools).toEqual(['linux']);
    expect(error.report.pools).toEqual([
      expect.objectContaining({ pool: 'linux', launched: 0, error: expect.any(String) }),
      expect.objectContaining({ pool: 'warm', launched: 2 }),
    ]);
    expect(r.counts.get('WarmPoolTopUpFailed')).toBe(1);
    expect(r.lines.some((l) => l.level === 'error' && l.message === 'warm pool top-up failed')).toBe(true);
  });

  it('refuses an event that is neither SQS records, the warm-pool event nor a spot warning', async () => {
    const w = world();
    const r = recorder();
    await expect(
      handleScaleUpInvocation({ source: 'aws.events' } as never, w.deps, {
        config: scaleUpConfig(),
        log: r.log,
        metrics: r.metrics,
      }),
    ).rejects.toThrow('neither SQS records, the warm-pool event nor a spot warning');
  });
});
