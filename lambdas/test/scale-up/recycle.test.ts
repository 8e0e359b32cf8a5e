import { describe, expect, it } from '@jest/globals';
import type { RecycleMessage } from '../../src/core/scale-up/messages.js';
import { decideRecycle } from '../../src/core/scale-up/recycle.js';
import { RUNNER_CONFIG_TAG } from '../../src/core/scale-up/runner-config.js';
import { handleScaleUpBatch } from '../../src/core/scale-up/scale-up.js';
import { encodeAgentState, encodeLifecycle, TAG } from '../../src/core/tags.js';
import {
  CONFIG_PATH,
  existingInstance,
  records,
  recordsFrom,
  recorder,
  scaleUpConfig,
  world,
  type World,
} from './fixtures.js';

const EXIT_MS = Date.UTC(2026, 10, 28, 5, 59, 0);
const exited = { [TAG.agentState]: encodeAgentState({ state: 'exited', atMs: EXIT_MS }) };
const recycle = (instanceId: string, deliveryId?: string): RecycleMessage => ({
  kind: 'recycle',
  instanceId,
  pool: 'warm',
  ...(deliveryId === undefined ? {} : { deliveryId }),
});

async function run(w: World, message: RecycleMessage, config = scaleUpConfig()) {
  const r = recorder();
  const result = await handleScaleUpBatch(records(message), w.deps, { config, log: r.log, metrics: r.metrics });
  const [instance] = await w.memoryEc2.listInstances({ instanceIds: [message.instanceId] });
  return { result, instance, r };
}

describe('decideRecycle', () => {
  it.each([
    [{ live: 3, maxRunners: 3, pastLifetime: false, spotDoomed: false }, 'reuse'],
    [{ live: 1, maxRunners: 3, pastLifetime: false, spotDoomed: false }, 'reuse'],
    [{ live: 4, maxRunners: 3, pastLifetime: false, spotDoomed: false }, 'terminate'],
    [{ live: 1, maxRunners: 3, pastLifetime: true, spotDoomed: false }, 'terminate'],
    [{ live: 1, maxRunners: 3, pastLifetime: false, spotDoomed: true }, 'terminate'],
  ])('%j → %s', (input, expected) => {
    expect(decideRecycle(input)).toBe(expected);
  });
});

/** The registration scale-up last gave the instance is consumed (its job took it): GitHub has no runner 41. */
const consumed = { ...exited, [TAG.runnerId]: '41' };

describe('recycle requests', () => {
  it('gives a warm instance a fresh JIT registration, with no job waiting (reusable pools stay warm)', async () => {
    // Prepare
    const w = world();
    const id = await existingInstance(w, 'warm', consumed);
    // Act
    const { result, instance, r } = await run(w, recycle(id));
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(instance?.state).toBe('running');
    expect(instance?.tags[RUNNER_CONFIG_TAG]).toBe(`ready@${w.clock.now()}`);
    const [runner] = await w.github.listRunners({ kind: 'org', org: 'acme' });
    expect(runner?.name).toBe(id);
    expect(instance?.tags[TAG.runnerId]).toBe(String(runner?.id));
    expect(w.seams.puts).toEqual([
      expect.objectContaining({ name: `${CONFIG_PATH}/warm/${id}`, type: 'SecureString' }),
    ]);
    expect(r.counts.get('ScaleUpRecycled')).toBe(1);
  });

  it('terminates an instance EC2 is about to reclaim instead of giving it another registration', async () => {
    // Prepare: its last job ended after the spot warning; a fresh registration would not be quarantined
    const w = world();
    const id = await existingInstance(w, 'warm', { ...consumed, [TAG.spotInterruption]: String(EXIT_MS - 30_000) });
    // Act
    const { result, instance, r } = await run(w, recycle(id));
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(instance?.state).toBe('shutting-down');
    expect(w.seams.puts).toEqual([]);
    expect(r.counts.get('ScaleUpRecycleTerminated')).toBe(1);
  });

  it('terminates an instance past its maximum lifetime instead of giving it another registration', async () => {
    // Prepare: launched now, asked for a fresh registration 24 h later (the default lifetime)
    const w = world();
    const id = await existingInstance(w, 'warm', consumed);
    w.clock.advance(24 * 3_600_000);
    // Act
    const { result, instance, r } = await run(w, recycle(id));
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(instance?.state).toBe('shutting-down');
    expect(w.seams.puts).toEqual([]);
    expect(r.counts.get('ScaleUpRecycleTerminated')).toBe(1);
  });

  it('terminates the instance only when the pool is over its maximum', async () => {
    // Prepare: the warm pool's maximum is 3; four instances run (the maximum was lowered).
    const w = world();
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await existingInstance(w, 'warm', consumed));
    // Act
    const { result, instance } = await run(w, recycle(ids[0]!));
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(instance?.state).toBe('shutting-down');
    expect(await w.github.listRunners({ kind: 'org', org: 'acme' })).toEqual([]);
  });

  it.each([
    [
      'its runner is idle (a stale or duplicated request)',
      { [TAG.agentState]: encodeAgentState({ state: 'idle', atMs: EXIT_MS }), [TAG.runnerId]: '41' },
      'runner_not_at_work',
    ],
    ['its agent never reported', { [TAG.runnerId]: '41' }, 'runner_not_at_work'],
    [
      'it is retiring (scale-down decides)',
      { ...consumed, [TAG.lifecycle]: encodeLifecycle({ phase: 'retiring', markMs: EXIT_MS }) },
      'retiring',
    ],
    ['scale-up never gave it a registration', exited, 'no_registration_known'],
  ])('leaves the instance alone when %s', async (_name, tags, reason) => {
    // Prepare
    const w = world();
    const id = await existingInstance(w, 'warm', tags);
    // Act
    const { result, instance, r } = await run(w, recycle(id));
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(instance?.state).toBe('running');
    expect(instance?.tags).toEqual(expect.objectContaining(tags));
    expect(instance?.tags[RUNNER_CONFIG_TAG]).toBeUndefined();
    expect(r.lines.some((l) => l.attributes['reason'] === reason)).toBe(true);
  });

  // Found by the hostile-runner scenario: a pool-mate's forged request (or a late duplicate) naming
  // an instance whose fresh registration a job had just consumed, while its tag still said `exited`.
  it('drops a request for an exit it has answered already: no second registration for a runner at work', async () => {
    // Prepare: exited at EXIT_MS; answered 2 s later (registration 41, since consumed by a job)
    const w = world();
    const answeredMs = EXIT_MS + 2000;
    const id = await existingInstance(w, 'warm', { ...consumed, [RUNNER_CONFIG_TAG]: `ready@${answeredMs}` });
    // Act
    const { result, instance, r } = await run(w, recycle(id));
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(instance?.tags[RUNNER_CONFIG_TAG]).toBe(`ready@${answeredMs}`);
    expect(await w.github.listRunners({ kind: 'org', org: 'acme' })).toEqual([]);
    expect(w.seams.puts).toEqual([]);
    expect(r.lines.some((l) => l.attributes['reason'] === 'answered')).toBe(true);
  });

  it('answers once per consumed registration: a second request while the fresh one waits is dropped', async () => {
    // Prepare: the first request was answered; the agent (or a forger) asks again before any job.
    const w = world();
    const id = await existingInstance(w, 'warm', consumed);
    await run(w, recycle(id, 'r-1'));
    // ...with the same exit (the answer came after it), and with an exit written since (the fresh
    // runner died before any job, or the instance forges its own tag): GitHub still lists the fresh one
    const later = { [TAG.agentState]: encodeAgentState({ state: 'exited', atMs: w.clock.now() + 1000 }) };
    const answers: unknown[] = [];
    for (const [tags, deliveryId] of [
      [exited, 'r-2'],
      [later, 'r-3'],
    ] as const) {
      await w.memoryEc2.createTags([id], tags);
      // Act
      const { result, instance, r } = await run(w, recycle(id, deliveryId));
      answers.push(r.lines.map((l) => l.attributes['reason']).find((reason) => reason !== undefined));
      expect(result.batchItemFailures).toEqual([]);
      expect(instance?.state).toBe('running');
    }
    // Assess
    expect(w.seams.puts).toHaveLength(1);
    expect(answers).toEqual(['answered', 'holds_registration']);
  });

  it('drops a request for an instance of another pool or fleet', async () => {
    const w = world();
    const id = await existingInstance(w, 'linux', consumed);
    const { result, instance } = await run(w, recycle(id));
    expect(result.batchItemFailures).toEqual([]);
    expect(instance?.state).toBe('running');
    expect(w.seams.puts).toEqual([]);
  });

  it('drops a request whose body names another pool than the queue it came from (forged)', async () => {
    // Prepare: a warm-pool instance's request, sent to the linux pool's queue.
    const w = world();
    const id = await existingInstance(w, 'warm', consumed);
    const r = recorder();
    // Act
    const result = await handleScaleUpBatch(recordsFrom('linux', recycle(id)), w.deps, {
      config: scaleUpConfig(),
      log: r.log,
      metrics: r.metrics,
    });
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(w.seams.puts).toEqual([]);
    expect(r.counts.get('dropped_pool_mismatch')).toBe(1);
  });

  it('retries, keeping the instance, when a registration of the same name still exists at GitHub', async () => {
    // Prepare: GitHub has not yet removed a runner named after the instance.
    const w = world();
    const id = await existingInstance(w, 'warm', consumed);
    await w.github.generateJitConfig({ kind: 'org', org: 'acme' }, { name: id, labels: ['warm'], runnerGroupId: 1 });
    // Act
    const { result, instance } = await run(w, recycle(id));
    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(instance?.state).toBe('running');
    expect(instance?.tags[RUNNER_CONFIG_TAG]).toBeUndefined();
    expect(w.seams.puts).toEqual([]);
  });

  it('acts once on a duplicated request', async () => {
    const w = world();
    const id = await existingInstance(w, 'warm', consumed);
    const r = recorder();
    const result = await handleScaleUpBatch(records(recycle(id, 'r-1'), recycle(id, 'r-1')), w.deps, {
      config: scaleUpConfig(),
      log: r.log,
      metrics: r.metrics,
    });
    expect(result.batchItemFailures).toEqual([]);
    expect(w.seams.puts).toHaveLength(1);
    expect(r.counts.get('ScaleUpRecycled')).toBe(1);
  });
});
