/**
 * The next registration prepared while a job runs (core/scale-up/recycle.ts): the agent asks once its
 * `busy` is on the tag, and scale-up answers only when the registration it gave last is consumed at
 * GitHub (gone, or busy with the job) and the one before is gone — at most one fresh registration per
 * job, never more than two per instance, whatever the instance sends.
 */
import { describe, expect, it } from '@jest/globals';
import type { RecycleMessage } from '../../src/core/scale-up/messages.js';
import { PREVIOUS_RUNNER_TAG, RUNNER_CONFIG_TAG } from '../../src/core/scale-up/runner-config.js';
import { handleScaleUpBatch } from '../../src/core/scale-up/scale-up.js';
import { encodeAgentState, encodeLifecycle, TAG } from '../../src/core/tags.js';
import { scaleUpConfigSchema } from '../../src/config/schema.js';
import {
  CONFIG_PATH,
  existingInstance,
  rawScaleUpConfig,
  records,
  recorder,
  scaleUpConfig,
  world,
  type World,
} from './fixtures.js';

const ORG = { kind: 'org', org: 'acme' } as const;
const START_MS = Date.UTC(2026, 10, 28, 5, 59, 0);
const busy = { [TAG.agentState]: encodeAgentState({ state: 'busy', jobId: '9', atMs: START_MS }) };

async function run(w: World, instanceId: string, deliveryId = 'd-1', config = scaleUpConfig()) {
  const r = recorder();
  const message: RecycleMessage = { kind: 'recycle', instanceId, pool: 'warm', deliveryId };
  const result = await handleScaleUpBatch(records(message), w.deps, { config, log: r.log, metrics: r.metrics });
  const [instance] = await w.memoryEc2.listInstances({ instanceIds: [instanceId] });
  const reason = r.lines.map((l) => l.attributes['reason']).find((x) => x !== undefined);
  return { result, instance, r, reason };
}

/** A registration at GitHub, as scale-up made it for the instance; `busy` when a job holds it. */
async function registration(w: World, name: string, state: 'waiting' | 'busy'): Promise<number> {
  const jit = await w.github.generateJitConfig(ORG, { name, labels: ['warm'], runnerGroupId: 1 });
  if (state === 'busy') w.github.setBusy(jit.runnerId, true);
  return jit.runnerId;
}

describe('the next registration, prepared while the job runs', () => {
  it.each([
    ['gone at GitHub (a consumed JIT registration is not listed)', undefined],
    ['listed busy with its job', 'busy' as const],
  ])('is made when the current registration is %s: named apart, recording the one it follows', async (_n, state) => {
    // Prepare
    const w = world();
    const id = await existingInstance(w, 'warm', busy);
    const current = state === undefined ? 41 : await registration(w, id, state);
    await w.memoryEc2.createTags([id], { [TAG.runnerId]: String(current) });
    // Act
    const { result, instance, r } = await run(w, id);
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(instance?.state).toBe('running');
    const next = (await w.github.listRunners(ORG)).find((x) => x.id !== current);
    expect(next?.name).toBe(`${id}-${current}`);
    expect(instance?.tags).toEqual(
      expect.objectContaining({
        [TAG.runnerId]: String(next?.id),
        [PREVIOUS_RUNNER_TAG]: String(current),
        [RUNNER_CONFIG_TAG]: `ready@${w.clock.now()}`,
      }),
    );
    expect(w.seams.puts).toEqual([expect.objectContaining({ name: `${CONFIG_PATH}/warm/${id}` })]);
    expect(r.counts.get('ScaleUpPreparedAhead')).toBe(1);
  });

  it('is not made while the current registration could still take a job (a forged or early `busy`)', async () => {
    const w = world();
    const id = await existingInstance(w, 'warm', busy);
    const current = await registration(w, id, 'waiting');
    await w.memoryEc2.createTags([id], { [TAG.runnerId]: String(current) });
    const { instance, reason } = await run(w, id);
    expect(reason).toBe('holds_registration');
    expect(instance?.tags[RUNNER_CONFIG_TAG]).toBeUndefined();
    expect(w.seams.puts).toEqual([]);
  });

  it('is made once per job: the request again, or the exit after it, finds it answered or waiting', async () => {
    // Prepare: the first request prepared it
    const w = world();
    const id = await existingInstance(w, 'warm', { ...busy, [TAG.runnerId]: '41' });
    await run(w, id, 'd-1');
    // Act: the same request again (a duplicate or forgery), then the exit of the job's runner
    const again = await run(w, id, 'd-2');
    await w.memoryEc2.createTags([id], {
      [TAG.agentState]: encodeAgentState({ state: 'exited', atMs: w.clock.now() + 60_000 }),
    });
    const exit = await run(w, id, 'd-3');
    // Assess
    expect([again.reason, exit.reason]).toEqual(['answered', 'holds_registration']);
    expect(w.seams.puts).toHaveLength(1);
  });

  // A job on the instance could start the prepared registration beside its own (it runs as root):
  // the registration after that waits until the job's own is gone, so two at most ever run at once.
  it('is refused while the registration before the current one is alive: never a third', async () => {
    const w = world();
    const id = await existingInstance(w, 'warm', busy);
    const first = await registration(w, id, 'busy');
    const second = await registration(w, `${id}-${first}`, 'busy');
    await w.memoryEc2.createTags([id], { [TAG.runnerId]: String(second), [PREVIOUS_RUNNER_TAG]: String(first) });
    const ahead = await run(w, id, 'd-1');
    w.github.setBusy(second, false);
    w.github.consumeRegistration(second);
    await w.memoryEc2.createTags([id], {
      [TAG.agentState]: encodeAgentState({ state: 'exited', atMs: w.clock.now() }),
    });
    const exit = await run(w, id, 'd-2');
    expect([ahead.reason, exit.reason]).toEqual(['previous_registration_alive', 'previous_registration_alive']);
    expect(w.seams.puts).toEqual([]);
  });

  it.each([
    ['over the pool maximum', {}, 1, 'no_reuse_ahead'],
    [
      'marked by scale-down',
      { [TAG.lifecycle]: encodeLifecycle({ phase: 'retiring', markMs: START_MS }) },
      5,
      'retiring',
    ],
  ])('is not made, and nothing is terminated, for an instance %s', async (_n, tags, maxRunners, reason) => {
    const w = world();
    const id = await existingInstance(w, 'warm', { ...busy, [TAG.runnerId]: '41', ...tags });
    await existingInstance(w, 'warm');
    const raw = rawScaleUpConfig();
    const config = scaleUpConfigSchema.parse({
      ...raw,
      pools: { ...raw.pools, warm: { ...raw.pools.warm, maxRunners } },
    });
    const { instance, reason: got } = await run(w, id, 'd-1', config);
    expect(got).toBe(reason);
    expect(instance?.state).toBe('running');
    expect(w.seams.puts).toEqual([]);
  });
});
