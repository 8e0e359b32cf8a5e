import { describe, expect, test } from '@jest/globals';
import { runScaleDown } from '../../../src/core/scale-down/index.js';
import { TAG, decodeLifecycle } from '../../../src/core/tags.js';
import { MIN, TERMINATED, World } from '../world.js';

/** Not a port error: the executor treats it as the Lambda dying mid-run. */
class Crash extends Error {}

type Step = 'mark' | 'quarantine' | 'quarantined-tag' | 'settle' | 're-check' | 'deregister' | 'terminate';
const STEPS: Step[] = ['mark', 'quarantine', 'quarantined-tag', 'settle', 're-check', 'deregister', 'terminate'];

/** Arms a crash right after `step` took effect; `disarm` stops the injection. */
function armCrash(world: World, step: Step): { fired: () => boolean; disarm: () => void } {
  let fired = false;
  let settled = false;
  const fire = () => {
    if (fired) return;
    fired = true;
    throw new Crash(`crash after ${step}`);
  };
  // Registered after the world's own hook, so the agents have answered a mark before the crash.
  const unhooks = [
    world.spy.ec2.after(['createTags', 'terminateInstances', 'listInstances'], (call) => {
      const lifecycle = call.name === 'createTags' ? call.args[1][TAG.lifecycle] : undefined;
      if (step === 'mark' && lifecycle?.startsWith('retiring')) fire();
      if (step === 'quarantined-tag' && lifecycle?.startsWith('quarantined')) fire();
      if (step === 'terminate' && call.name === 'terminateInstances') fire();
      // The re-check reads the instances' tags again once settled (the DELETE is its REST check).
      if (step === 're-check' && call.name === 'listInstances' && settled) fire();
    }),
    world.spy.github.after(['setCustomLabels', 'addRunnerToGroup', 'deleteRunner'], (call) => {
      if (step === 'quarantine' && (call.name === 'setCustomLabels' || call.name === 'addRunnerToGroup')) fire();

      if (step === 'deregister' && call.name === 'deleteRunner') fire();
    }),
    world.spy.clock.after('sleep', () => {
      settled = true;
      if (step === 'settle') fire();
    }),
  ];
  return { fired: () => fired, disarm: () => unhooks.forEach((unhook) => unhook()) };
}

/**
 * After the crash: a runner whose registration was deleted exits (its listener sees the
 * deletion) and the agent writes `exited`, keeping its acknowledgement (as the simulator's agent does).
 */
async function afterCrash(world: World, runnerId: number | undefined): Promise<void> {
  if (runnerId === undefined || (await world.registered(runnerId))) return;
  const state = (await world.tag('i-1', TAG.agentState))!;
  await world.setTags('i-1', { [TAG.agentState]: state.replace(/^idle@\d+/, `exited@${world.clock.now()}`) });
}

describe.each(['repo', 'org'] as const)('crash after each protocol step, then a rerun (%s runner)', (pool) => {
  test.each(STEPS)('idle runner, crash after %s: the rerun retires it', async (step) => {
    // Prepare
    const world = new World();
    const { runnerId } = await world.addRunner({ id: 'i-1', pool });
    const crash = armCrash(world, step);
    // Act
    await expect(runScaleDown(world.context())).rejects.toThrow(Crash);
    crash.disarm();
    await afterCrash(world, runnerId);
    world.clock.advance(5 * MIN);
    await runScaleDown(world.context());
    // Assess: same end state as a run without a crash
    expect(crash.fired()).toBe(true);
    expect(await world.state('i-1')).toMatch(TERMINATED);
    expect(await world.runners()).toEqual([]);
    expect(await world.ssm.listParameters('/')).toEqual([]);
  });

  test.each(STEPS.filter((s) => s !== 'deregister' && s !== 'terminate'))(
    'a job starts while crashed after %s: the rerun leaves it running',
    async (step) => {
      // Prepare
      const world = new World();
      const { runnerId } = await world.addRunner({ id: 'i-1', pool });
      const crash = armCrash(world, step);
      // Act
      await expect(runScaleDown(world.context())).rejects.toThrow(Crash);
      crash.disarm();
      await afterCrash(world, runnerId);
      // The job was assigned before the quarantine took effect; the agent reports it.
      const mark = decodeLifecycle(await world.tag('i-1', TAG.lifecycle))?.markMs;
      await world.setTags('i-1', {
        [TAG.agentState]: `busy:77@${world.clock.now()}${mark === undefined ? '' : `/ack:${mark}`}`,
      });
      world.clock.advance(5 * MIN);
      await runScaleDown(world.context());
      // Assess
      expect(await world.state('i-1')).toBe('running');
      expect(await world.registered(runnerId!)).toBe(true);
      expect(world.spy.github.calls).not.toContain('deleteRunner');
    },
  );
});
