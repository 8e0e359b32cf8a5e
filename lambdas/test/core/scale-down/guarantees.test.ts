import { describe, expect, test } from '@jest/globals';
import { runScaleDown } from '../../../src/core/scale-down/index.js';
import { BOUND_MARGIN_MS, retirementBoundMs } from '../../../src/core/scale-down/verdict.js';
import { TAG, decodeLifecycle, encodeJobEvidence } from '../../../src/core/tags.js';
import { MIN, TERMINATED, World } from '../world.js';

/**
 * One timeline per guarantee of docs/safety.md (1-3 and 5 here; 4 in fencing.test.ts, 6 in
 * crash-points.test.ts). Each failed on the protocol before these guarantees were stated: the
 * comment above each test says how.
 */

/** Not a port error: the executor treats it as the Lambda dying mid-run. */
class Crash extends Error {}

const SCHEDULE = 5 * MIN;

/**
 * Runs scale-down every five minutes until `untilMs`, one run landing exactly at `alignMs` when
 * given (the worst phase of the schedule for the timeline). Returns the time of the run after which
 * the instance was first seen terminated (undefined when never).
 */
async function runEvery(
  world: World,
  untilMs: number,
  instanceId: string,
  alignMs?: number,
): Promise<number | undefined> {
  if (alignMs !== undefined) {
    const behind = (alignMs - world.clock.now()) % SCHEDULE;
    world.clock.advance(behind === 0 ? 0 : behind - SCHEDULE);
  }
  while (world.clock.now() < untilMs) {
    world.clock.advance(SCHEDULE);
    await runScaleDown(world.context());
    if (TERMINATED.test(await world.state(instanceId))) return world.clock.now();
  }
  return undefined;
}

/** The time of the quarantine call on `instanceId` (repo pool: its labels are replaced). */
function onQuarantine(world: World, then: (atMs: number) => Promise<void> | void): { at: () => number } {
  let at = 0;
  const unhook = world.spy.github.after('setCustomLabels', async () => {
    unhook();
    at = world.clock.now();
    await then(at);
  });
  return { at: () => at };
}

describe('guarantee 1: the silent-agent backstop never fires while a job could still be running', () => {
  // Before: the backstop fired at quarantine + the maximum job duration and read the DELETE's 404 as
  // "gone". A job assigned while the quarantine propagated, on a runner whose agent had died and
  // whose `in_progress` webhook was lost, was killed a few seconds before it would have ended.
  test('a job assigned during quarantine propagation to a runner with a dead agent runs to its end', async () => {
    // Prepare: an idle JIT runner whose agent is dead (it never answers a mark)
    const world = new World();
    world.ackAgents = false;
    const { runnerId } = await world.addRunner({ id: 'i-1' });
    const maxJobMs = world.config.pools['repo']!.maxJobDurationMinutes * MIN;
    const quarantine = onQuarantine(world, () => undefined);
    // 55 s after the quarantine call, while it still propagates (world-model.md: up to 60 s), GitHub
    // assigns a job: the assignment consumes the JIT registration; its webhook is lost.
    let assignedMs: number | undefined;
    const unhook = world.spy.clock.after('sleep', () => {
      if (world.clock.now() < quarantine.at() + 55_000) return;
      unhook();
      assignedMs = world.clock.now();
      world.github.consumeRegistration(runnerId!);
    });
    // Act: the first run marks, quarantines and waits; later runs every five minutes, one of them
    // 10 s past quarantine + the maximum job duration (where the backstop used to fire)
    await runScaleDown(world.context());
    const jobEndMs = assignedMs! + 2_000 + maxJobMs; // its worker starts within 2 s
    const bound = retirementBoundMs(quarantine.at(), world.config.settleSeconds * 1000, maxJobMs);
    const terminatedAt = await runEvery(world, bound + 2 * SCHEDULE, 'i-1', quarantine.at() + maxJobMs + 10_000);
    // Assess: not before the job could have ended; within one schedule of the bound
    expect(terminatedAt).toBeDefined();
    expect(terminatedAt!).toBeGreaterThan(jobEndMs);
    expect(terminatedAt!).toBeLessThanOrEqual(bound + SCHEDULE);
    expect(world.metrics.get('backstops')).toBe(1);
  });
});

describe('guarantee 1: the bound as docs/safety.md states it', () => {
  test('a silent runner is not ended before quarantine + settle + the maximum job + the margin', async () => {
    // Prepare: a dead agent; the settle wait is longer than the minute checked below, so a bound
    // without its settle term would have passed there.
    const world = new World();
    world.ackAgents = false;
    await world.addRunner({ id: 'i-1' });
    const maxJobMs = world.config.pools['repo']!.maxJobDurationMinutes * MIN;
    const quarantine = onQuarantine(world, () => undefined);
    expect(world.config.settleSeconds * 1000).toBeGreaterThan(60_000);
    // Act: the first run marks, quarantines and waits; later runs every five minutes, one of them a
    // minute before the bound
    await runScaleDown(world.context());
    // The formula of docs/safety.md, written out (not retirementBoundMs, which it checks).
    const bound = quarantine.at() + world.config.settleSeconds * 1000 + maxJobMs + BOUND_MARGIN_MS;
    const early = await runEvery(world, bound - 60_000, 'i-1', bound - 60_000);
    const terminatedAt = await runEvery(world, bound + 2 * SCHEDULE, 'i-1');
    // Assess: still there a minute before the bound, ended by the first run past it
    expect(early).toBeUndefined();
    expect(terminatedAt).toBeDefined();
    expect(terminatedAt!).toBeGreaterThanOrEqual(bound);
    expect(terminatedAt!).toBeLessThanOrEqual(bound + SCHEDULE);
  });
});

describe('guarantee 2: nothing stays retiring forever', () => {
  // Before: an acknowledged `busy` was trusted forever. An agent that acknowledged the mark while a
  // job ran and then died, with the job's `completed` webhook lost, kept its instance retiring for good.
  test('an agent that acknowledged busy and then went silent: terminated within the bound', async () => {
    // Prepare
    const world = new World();
    const { runnerId } = await world.addRunner({ id: 'i-1' });
    const pool = world.config.pools['repo']!;
    const maxJobMs = pool.maxJobDurationMinutes * MIN;
    const quarantine = onQuarantine(world, async () => {
      // A job is assigned as the quarantine propagates; the agent reports it, acknowledging the mark,
      // and dies while the job runs. The job ends; its `completed` webhook is lost.
      world.github.consumeRegistration(runnerId!);
      const mark = decodeLifecycle(await world.tag('i-1', TAG.lifecycle))!.markMs;
      await world.setTags('i-1', { [TAG.agentState]: `busy:9@${world.clock.now()}/ack:${mark}` });
      world.ackAgents = false;
    });
    // Act
    await runScaleDown(world.context());
    const bound = retirementBoundMs(quarantine.at(), world.config.settleSeconds * 1000, maxJobMs);
    const terminatedAt = await runEvery(world, bound + 4 * SCHEDULE, 'i-1');
    // Assess
    expect(terminatedAt).toBeDefined();
    expect(terminatedAt!).toBeGreaterThanOrEqual(bound);
    expect(terminatedAt!).toBeLessThanOrEqual(bound + SCHEDULE);
  });

  // Before: a run that crashed right after its DELETE left the instance marked, registration gone;
  // with the agent dead, its acknowledged `idle` read as "a runner started again" on every later run.
  test('a registration deleted by a run that crashed, and a dead agent: terminated within the bound', async () => {
    // Prepare
    const world = new World();
    const { runnerId } = await world.addRunner({ id: 'i-1' });
    const pool = world.config.pools['repo']!;
    const quarantine = onQuarantine(world, () => undefined);
    const unhook = world.spy.github.after('deleteRunner', () => {
      unhook();
      world.ackAgents = false; // the agent dies with the run
      throw new Crash('crash after the DELETE');
    });
    // Act
    await expect(runScaleDown(world.context())).rejects.toThrow(Crash);
    const bound = retirementBoundMs(
      quarantine.at(),
      world.config.settleSeconds * 1000,
      pool.maxJobDurationMinutes * MIN,
    );
    // The crashed run's lease is left to expire (its TTL), then runs resume.
    const terminatedAt = await runEvery(world, bound + 4 * SCHEDULE, 'i-1');
    // Assess
    expect(await world.registered(runnerId!)).toBe(false);
    expect(terminatedAt).toBeDefined();
    expect(terminatedAt!).toBeLessThanOrEqual(bound + SCHEDULE);
  });
});

describe('guarantee 3: demand that arrives while a run waits is honoured', () => {
  // Before: the re-check read no demand; a candidate acknowledged idle was retired while scale-up
  // booted a new instance for the job that had arrived during the settle wait.
  test('a job queued during the settle wait takes the candidate back instead of a new instance', async () => {
    // Prepare
    const world = new World();
    const { runnerId } = await world.addRunner({ id: 'i-1' });
    const queueUrl = world.config.pools['repo']!.queueUrl;
    const unhook = world.spy.clock.after('sleep', async () => {
      unhook();
      await world.sqs.sendMessage(queueUrl, '{"job":1}');
    });
    // Act
    const report = await runScaleDown(world.context());
    // Assess: back in its pool (labels restored, mark cleared), registration kept, not terminated
    expect(report.returnedToService).toBe(1);
    expect(report.retired).toBe(0);
    expect(await world.state('i-1')).toBe('running');
    expect(await world.registered(runnerId!)).toBe(true);
    expect(await world.tag('i-1', TAG.lifecycle)).toBeUndefined();
    const [runner] = await world.runners();
    expect(runner?.labels.filter((l) => l.type === 'custom').map((l) => l.name)).toEqual(['pool-a']);
  });
});

describe('guarantee 5: every retirement says which guard held', () => {
  test('a job that starts on a quarantined runner after its settle wait is a guard (a) failure, recorded once', async () => {
    // Prepare: a runner quarantined and waiting for its agent
    const world = new World();
    world.ackAgents = false;
    await world.addRunner({ id: 'i-1' });
    await runScaleDown(world.context());
    const lifecycle = decodeLifecycle(await world.tag('i-1', TAG.lifecycle));
    expect(lifecycle?.phase).toBe('quarantined');
    // GitHub assigns it a job well after the quarantine took effect (it should not have); the
    // agent says so, and the webhook records the job in progress on it
    world.clock.advance(3 * MIN);
    await world.setTags('i-1', {
      [TAG.agentState]: `busy:42@${world.clock.now()}`,
      [TAG.jobEvidence]: encodeJobEvidence({ status: 'in_progress', jobId: '42', atMs: world.clock.now() }),
    });
    // Act: two runs see it
    await runEvery(world, world.clock.now() + 2 * SCHEDULE, 'i-1');
    // Assess
    expect(world.metrics.get('guardAFailed')).toBe(1);
    expect(await world.tag('i-1', TAG.guardAFailed)).toBe('42');
    expect(world.log.lines.filter((l) => l.level === 'error' && l.message.startsWith('guard (a) failed'))).toHaveLength(
      1,
    );
    expect(await world.state('i-1')).toBe('running');
  });

  test('an agent tag alone does not record a guard (a) failure: a job can write it (docs/threat-model.md)', async () => {
    // Prepare: quarantined; later the instance's tag claims a job the webhook never reported
    const world = new World();
    world.ackAgents = false;
    await world.addRunner({ id: 'i-1' });
    await runScaleDown(world.context());
    world.clock.advance(3 * MIN);
    await world.setTags('i-1', { [TAG.agentState]: `busy:42@${world.clock.now()}` });
    // Act
    await runEvery(world, world.clock.now() + 2 * SCHEDULE, 'i-1');
    // Assess
    expect(world.metrics.get('guardAFailed') ?? 0).toBe(0);
    expect(await world.tag('i-1', TAG.guardAFailed)).toBeUndefined();
  });

  test('a job assigned after the agent acknowledged idle: the DELETE is refused (guard b) and counted', async () => {
    // Prepare
    const world = new World();
    const { runnerId } = await world.addRunner({ id: 'i-1' });
    // GitHub assigns a job after the re-check read the agent's idle acknowledgement
    world.spy.github.before('deleteRunner', () => world.github.consumeRegistration(runnerId!));
    // Act
    const report = await runScaleDown(world.context());
    // Assess
    expect(report.retired).toBe(0);
    expect(await world.state('i-1')).toBe('running');
    expect(world.metrics.get('guardBSaved')).toBe(1);
    expect(world.metrics.get('taken')).toBe(1);
  });
});
