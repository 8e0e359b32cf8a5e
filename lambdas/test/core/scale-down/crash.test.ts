import { describe, expect, test } from '@jest/globals';
import { runScaleDown } from '../../../src/core/scale-down/index.js';
import { TAG, decodeLifecycle } from '../../../src/core/tags.js';
import { MIN, World } from '../fakes/world.js';

/** Not a port error: the executor treats it as the Lambda dying mid-run. */
class Crash extends Error {}

type Step = 'mark' | 'quarantine' | 'quarantined-tag' | 'settle' | 're-check' | 'deregister' | 'terminate';
const STEPS: Step[] = ['mark', 'quarantine', 'quarantined-tag', 'settle', 're-check', 'deregister', 'terminate'];

/** Arms a crash right after `step` took effect. */
function armCrash(world: World, step: Step): () => boolean {
  let fired = false;
  let settled = false;
  const fire = () => {
    if (fired) return;
    fired = true;
    throw new Crash(`crash after ${step}`);
  };
  const agent = world.ec2.after;
  world.ec2.after = (call, ids, tags) => {
    agent(call, ids, tags);
    const lifecycle = tags?.[TAG.lifecycle];
    if (step === 'mark' && lifecycle?.startsWith('retiring')) fire();
    if (step === 'quarantined-tag' && lifecycle?.startsWith('quarantined')) fire();
    if (step === 'terminate' && call === 'terminateInstances') fire();
    // The re-check reads the instances' tags again once settled (the DELETE is its REST check).
    if (step === 're-check' && call === 'listInstances' && settled) fire();
  };
  world.github.after = (call) => {
    if (step === 'quarantine' && (call === 'setCustomLabels' || call === 'addRunnerToGroup')) fire();

    if (step === 'deregister' && call === 'deleteRunner') fire();
  };
  world.clock.onSleep = () => {
    settled = true;
    if (step === 'settle') fire();
  };
  return () => fired;
}

/**
 * Stops the crash injection. A runner whose registration was deleted exits (its listener sees
 * the deletion) and the agent writes `exited`, keeping its acknowledgement (as the simulator's agent does).
 */
function disarm(world: World, runnerId: number | undefined): void {
  world.github.after = () => {};
  world.clock.onSleep = () => {};
  const instance = world.ec2.instances.get('i-1')!;
  if (runnerId !== undefined && !world.github.runners.has(runnerId)) {
    instance.tags[TAG.agentState] = instance.tags[TAG.agentState]!.replace(/^idle@\d+/, `exited@${world.clock.now()}`);
  }
}

describe.each(['repo', 'org'] as const)('crash after each protocol step, then a rerun (%s runner)', (pool) => {
  test.each(STEPS)('idle runner, crash after %s: the rerun retires it', async (step) => {
    // Prepare
    const world = new World();
    const { runner } = world.addRunner({ id: 'i-1', pool });
    const fired = armCrash(world, step);
    // Act
    await expect(runScaleDown(world.context())).rejects.toThrow(Crash);
    disarm(world, runner?.id);
    world.clock.nowMs += 5 * MIN;
    await runScaleDown(world.context());
    // Assess: same end state as a run without a crash
    expect(fired()).toBe(true);
    expect(world.state('i-1')).toBe('terminated');
    expect(world.github.runners.size).toBe(0);
    expect(world.ssm.parameters.size).toBe(0);
  });

  test.each(STEPS.filter((s) => s !== 'deregister' && s !== 'terminate'))(
    'a job starts while crashed after %s: the rerun leaves it running',
    async (step) => {
      // Prepare
      const world = new World();
      const { runner } = world.addRunner({ id: 'i-1', pool });
      armCrash(world, step);
      // Act
      await expect(runScaleDown(world.context())).rejects.toThrow(Crash);
      disarm(world, runner?.id);
      // The job was assigned before the quarantine took effect; the agent reports it.
      const instance = world.ec2.instances.get('i-1')!;
      const mark = decodeLifecycle(instance.tags[TAG.lifecycle])?.markMs;
      instance.tags[TAG.agentState] = `busy:77@${world.clock.now()}${mark === undefined ? '' : `/ack:${mark}`}`;
      world.clock.nowMs += 5 * MIN;
      await runScaleDown(world.context());
      // Assess
      expect(world.state('i-1')).toBe('running');
      expect(world.github.runners.get(runner!.id)).toBeDefined();
      expect(world.github.calls).not.toContain('deleteRunner');
    },
  );
});
