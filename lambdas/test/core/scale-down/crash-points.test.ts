import { describe, expect, test } from '@jest/globals';
import { runScaleDown } from '../../../src/core/scale-down/index.js';
import { TAG } from '../../../src/core/tags.js';
import { MIN, REPO, T0, World } from '../world.js';

/**
 * Guarantee 6 of docs/safety.md: for every call a run makes (not only the first call of a kind),
 * a crash right after it took effect, followed by later runs, reaches the same end state as a run
 * without a crash. The fleet has one of each kind of work: two surplus runners (repo and org), an
 * orphan, a busy runner, and an instance an earlier run marked and quarantined.
 */

class Crash extends Error {}

async function fleet(agentsAnswer: boolean): Promise<World> {
  const world = new World();
  world.ackAgents = agentsAnswer;
  await world.addRunner({ id: 'i-repo' });
  await world.addRunner({ id: 'i-org', pool: 'org' });
  await world.addRunner({ id: 'i-orphan', registered: false, agent: '', launchedMinutesAgo: 30 });
  await world.addRunner({ id: 'i-busy', agent: `busy:5@${T0 - MIN}`, busy: true });
  // Marked and quarantined by an earlier run (its labels replaced), acknowledged idle.
  const markMs = T0 - 10 * MIN;
  await world.addRunner({
    id: 'i-marked',
    agent: `idle@${markMs + 5_000}/ack:${markMs}`,
    tags: { [TAG.lifecycle]: `quarantined@${markMs}/${markMs + 2_000}`, [TAG.fence]: String(markMs - 1) },
  });
  const marked = (await world.runners()).find((r) => r.name === 'i-marked')!;
  await world.github.setCustomLabels(REPO, marked.id, ['ghr-quarantine-i-marked']);
  return world;
}

/**
 * What a run leaves behind that matters: the live instances and their protocol tags, the
 * registrations, the parameters (runner configs, the lease).
 */
async function endState(world: World): Promise<unknown> {
  const instances = await world.ec2.listInstances({ states: ['pending', 'running'] });
  return {
    live: instances
      .map((i) => ({
        id: i.instanceId,
        lifecycle: i.tags[TAG.lifecycle] !== undefined,
        orphan: i.tags[TAG.orphan] !== undefined,
      }))
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
    runners: (await world.runners()).map((r) => r.name).sort(),
    parameters: (await world.ssm.listParameters('/')).map((p) => p.name).sort(),
  };
}

/**
 * What the instance does after a crash: a runner whose registration is gone exits, and its agent
 * writes `exited`, keeping its acknowledgement (as the simulator's agent does). An agent that
 * answers marks also answers one it has not answered yet (it polls its tags: the crash may have
 * come right after the mark was written, before the test's agent reacted to that call).
 */
async function agentsReact(world: World, agentsAnswer: boolean): Promise<void> {
  const names = new Set((await world.runners()).map((r) => r.name));
  for (const instance of await world.ec2.listInstances({ states: ['running'] })) {
    const state = instance.tags[TAG.agentState];
    if (state === undefined) continue;
    if (!names.has(instance.instanceId)) {
      await world.setTags(instance.instanceId, {
        [TAG.agentState]: state.replace(/^idle@\d+/, `exited@${world.clock.now()}`),
      });
    }
    if (agentsAnswer) await world.ack(instance.instanceId);
  }
}

/**
 * Later runs, every five minutes, for long enough that a crashed run's lease has expired and the
 * work is done: 40 minutes when agents answer, past the retirement bound (quarantine + settle +
 * the maximum job duration + 5 minutes) when they are silent.
 */
async function laterRuns(world: World, agentsAnswer: boolean): Promise<void> {
  const runs = agentsAnswer ? 8 : Math.ceil((world.config.pools['repo']!.maxJobDurationMinutes + 20) / 5);
  for (let i = 0; i < runs; i++) {
    world.clock.advance(5 * MIN);
    await agentsReact(world, agentsAnswer);
    await runScaleDown(world.context());
  }
}

/** Arms a crash right after the `n`-th call to any port (the settle wait's sleeps included). */
function crashAfter(world: World, n: number): { readonly fired: () => boolean } {
  let calls = 0;
  let fired = false;
  const hook = () => {
    calls += 1;
    if (calls !== n) return;
    fired = true;
    throw new Crash(`crash after call ${n}`);
  };
  world.spy.github.after('*', hook);
  world.spy.ec2.after('*', hook);
  world.spy.ssm.after('*', hook);
  world.spy.sqs.after('*', hook);
  world.spy.clock.after('sleep', hook);
  return { fired: () => fired };
}

async function callsOfOneRun(agentsAnswer: boolean): Promise<number> {
  const world = await fleet(agentsAnswer);
  await runScaleDown(world.context());
  const { github, ec2, ssm, sqs, clock } = world.spy;
  return (
    github.calls.length +
    ec2.calls.length +
    ssm.calls.length +
    sqs.calls.length +
    clock.calls.filter((c) => c === 'sleep').length
  );
}

describe('guarantee 6: a crash after any call of a run, then later runs: the same end state as no crash', () => {
  test.each([
    ['agents that answer marks', true],
    ['silent agents (the bound ends them)', false],
  ])('every crash point, %s', async (_name, agentsAnswer) => {
    // Prepare: the end state without a crash
    const clean = await fleet(agentsAnswer);
    await runScaleDown(clean.context());
    await laterRuns(clean, agentsAnswer);
    const expected = await endState(clean);
    expect(expected).toEqual({
      live: [{ id: 'i-busy', lifecycle: false, orphan: false }],
      runners: ['i-busy'],
      parameters: [],
    });
    const points = await callsOfOneRun(agentsAnswer);
    expect(points).toBeGreaterThan(20);
    // Act and assess: one world per crash point
    for (let n = 1; n <= points; n++) {
      const world = await fleet(agentsAnswer);
      const crash = crashAfter(world, n);
      await expect(runScaleDown(world.context())).rejects.toThrow(Crash);
      expect(crash.fired()).toBe(true);
      await laterRuns(world, agentsAnswer);
      expect({ n, state: await endState(world) }).toEqual({ n, state: expected });
    }
  });
});
