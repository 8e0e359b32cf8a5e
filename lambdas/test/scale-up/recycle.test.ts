import { describe, expect, it } from '@jest/globals';
import type { RecycleMessage } from '../../src/core/scale-up/messages.js';
import { decideRecycle } from '../../src/core/scale-up/recycle.js';
import { RUNNER_CONFIG_TAG } from '../../src/core/scale-up/runner-config.js';
import { handleScaleUpBatch } from '../../src/core/scale-up/scale-up.js';
import { encodeAgentState, encodeLifecycle, TAG } from '../../src/core/tags.js';
import {
  CONFIG_PATH,
  existingInstance,
  jobMessage,
  records,
  recorder,
  scaleUpConfig,
  WARM_QUEUE,
  world,
  type World,
} from './fixtures.js';

const EXIT_MS = Date.UTC(2026, 10, 28, 5, 59, 0);
const exited = { [TAG.agentState]: encodeAgentState({ state: 'exited', atMs: EXIT_MS }) };
const idle = { [TAG.agentState]: encodeAgentState({ state: 'idle', atMs: EXIT_MS }) };
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

/** A job waiting in the warm pool's queue. */
async function jobWaiting(w: World) {
  await w.sqs.sendMessage(WARM_QUEUE, JSON.stringify(jobMessage({ pool: 'warm' })));
}

const everyMinute = (idleCount: number) => ({
  pools: {
    ...scaleUpConfig().pools,
    warm: { ...scaleUpConfig().pools['warm'], idleConfig: [{ cron: '* * * * *', idleCount }] },
  },
});

describe('decideRecycle', () => {
  it.each([
    [{ waitingJobs: 1, idleQuota: 0, idleInPool: 5 }, 'reuse'],
    [{ waitingJobs: 0, idleQuota: 2, idleInPool: 1 }, 'reuse'],
    [{ waitingJobs: 0, idleQuota: 2, idleInPool: 2 }, 'terminate'],
    [{ waitingJobs: 0, idleQuota: 0, idleInPool: 0 }, 'terminate'],
  ])('%j → %s', (input, expected) => {
    expect(decideRecycle(input)).toBe(expected);
  });
});

describe('recycle requests', () => {
  it('gives a warm instance a fresh JIT registration while jobs wait', async () => {
    // Prepare
    const w = world();
    const id = await existingInstance(w, 'warm', { ...exited, [TAG.runnerId]: '41' });
    await jobWaiting(w);
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

  it('terminates a surplus instance (no job waits, idle quota met)', async () => {
    const w = world();
    const id = await existingInstance(w, 'warm', exited);
    const { result, instance } = await run(w, recycle(id));
    expect(result.batchItemFailures).toEqual([]);
    expect(instance?.state).toBe('shutting-down');
    expect(await w.github.listRunners({ kind: 'org', org: 'acme' })).toEqual([]);
  });

  it('keeps an instance warm to fill the idle quota, and not beyond it', async () => {
    // Prepare: quota 1 at every minute.
    const w = world();
    const config = scaleUpConfig(everyMinute(1));
    const first = await existingInstance(w, 'warm', exited);
    // Act: the first fills the quota (no idle instance yet) …
    const kept = await run(w, recycle(first), config);
    // … then, with one idle instance in the pool, the next is surplus.
    await w.memoryEc2.createTags([first], idle);
    const second = await existingInstance(w, 'warm', exited);
    const ended = await run(w, recycle(second), config);
    // Assess
    expect(kept.instance?.state).toBe('running');
    expect(kept.instance?.tags[RUNNER_CONFIG_TAG]).toBeDefined();
    expect(ended.instance?.state).toBe('shutting-down');
  });

  it.each([
    [
      'its runner is busy (a stale or duplicated request)',
      { [TAG.agentState]: encodeAgentState({ state: 'busy', jobId: '9', atMs: EXIT_MS }) },
      'runner_not_exited',
    ],
    ['its agent never reported', {}, 'runner_not_exited'],
    [
      'it is retiring (scale-down decides)',
      { ...exited, [TAG.lifecycle]: encodeLifecycle({ phase: 'retiring', markMs: EXIT_MS }) },
      'retiring',
    ],
    ['this exit was answered already', { ...exited, [RUNNER_CONFIG_TAG]: `ready@${EXIT_MS + 1}` }, 'already_answered'],
  ])('leaves the instance alone when %s', async (_name, tags, reason) => {
    // Prepare: no job waits, so an acted-on request would terminate.
    const w = world();
    const id = await existingInstance(w, 'warm', tags);
    // Act
    const { result, instance, r } = await run(w, recycle(id));
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(instance?.state).toBe('running');
    expect(instance?.tags).toEqual(expect.objectContaining(tags));
    expect(r.lines.some((l) => l.attributes['reason'] === reason)).toBe(true);
  });

  it('drops a request for an instance of another pool or fleet', async () => {
    const w = world();
    const id = await existingInstance(w, 'linux', exited);
    const { result, instance } = await run(w, recycle(id));
    expect(result.batchItemFailures).toEqual([]);
    expect(instance?.state).toBe('running');
  });

  it('retries, keeping the instance, when the old registration still holds the name', async () => {
    // Prepare: GitHub has not yet removed the consumed runner named after the instance.
    const w = world();
    const id = await existingInstance(w, 'warm', exited);
    await w.github.generateJitConfig({ kind: 'org', org: 'acme' }, { name: id, labels: ['warm'], runnerGroupId: 1 });
    await jobWaiting(w);
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
    const id = await existingInstance(w, 'warm', exited);
    await jobWaiting(w);
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
