import { describe, expect, test } from '@jest/globals';
import { runScaleDown } from '../../../src/core/scale-down/index.js';
import { AGENT_CLOCK_SKEW_MS, clampAgentTime, observeInstance } from '../../../src/core/scale-down/observe.js';
import { planScaleDown } from '../../../src/core/scale-down/plan.js';
import { retirementBoundMs } from '../../../src/core/scale-down/verdict.js';
import { TAG, encodeLifecycle } from '../../../src/core/tags.js';
import { MIN, T0, TERMINATED, World, makeConfig } from '../world.js';

/**
 * A job runs as root on its runner and can write the instance's `ghr:agent-state` tag
 * (docs/threat-model.md, issue 14). Whatever it writes may harm its own instance only, and not for
 * long: tag times are clamped to [launch, now + skew], and an instance past the pool's maximum
 * lifetime is retired through the protocol whatever its tag says. Each timeline below isolates one
 * of the two: the other is set so it cannot end the liar.
 */

const HOUR = 60 * MIN;
const SCHEDULE = 5 * MIN;
const MAX_JOB_MIN = 30;
const FAR_FUTURE = 9_999_999_999_999;
const FLEET_INSTANCE = { state: 'running', instanceType: 'm7i.large', lifecycle: 'spot' } as const;

/** Runs scale-down every five minutes until `untilMs`; `beforeRun` is what the job writes first. */
async function runEvery(
  world: World,
  untilMs: number,
  beforeRun: () => Promise<void>,
  seen = { returnedToService: 0 },
): Promise<number | undefined> {
  while (world.clock.now() < untilMs) {
    world.clock.advance(SCHEDULE);
    await beforeRun();
    seen.returnedToService += (await runScaleDown(world.context())).returnedToService;
    if (TERMINATED.test(await world.state('i-1'))) return world.clock.now();
  }
  return undefined;
}

/** Latest moment the liar may still run: marked by `markBy`, quarantined within one run, then the bound and one run. */
function hardBoundMs(world: World, markByMs: number): number {
  const settleMs = world.config.settleSeconds * 1000;
  return retirementBoundMs(markByMs + SCHEDULE, settleMs, MAX_JOB_MIN * MIN) + SCHEDULE;
}

describe('agent tag times are clamped to [launch, now + skew]', () => {
  const launch = T0 - HOUR;
  test.each([
    ['a time in the future is read as launch, and said forged', T0 + AGENT_CLOCK_SKEW_MS + 1, launch, true],
    ['a time within the skew is kept', T0 + AGENT_CLOCK_SKEW_MS, T0 + AGENT_CLOCK_SKEW_MS, false],
    ['a time before launch is read as launch', launch - 1, launch, false],
    ['a time since launch is kept', launch + MIN, launch + MIN, false],
  ])('%s', (_, atMs, expected, forged) => {
    const clamped = clampAgentTime({ state: 'busy', jobId: 'j', atMs }, launch, T0);
    expect(clamped).toEqual({ agent: { state: 'busy', jobId: 'j', atMs: expected }, forged });
  });

  test('observeInstance reads the tag through the clamp', () => {
    const observed = observeInstance(
      { ...FLEET_INSTANCE, instanceId: 'i-1', launchTimeMs: launch, tags: { [TAG.agentState]: `idle@${FAR_FUTURE}` } },
      makeConfig(),
      () => undefined,
      T0,
    );
    expect(observed.agent).toEqual({ state: 'idle', atMs: launch });
    expect(observed.agentTimeForged).toBe(true);
  });
});

describe('a forged future time ends at the maximum job duration, not never', () => {
  // Before: `busy:x@<far future>` was fresh forever, so the planner skipped the instance as busy.
  test('busy:x@<far future>: retired by launch + maximum job duration + the retirement bound', async () => {
    // Prepare: the lifetime (a year) cannot be what ends it
    const world = new World(makeConfig({}, { maxJobDurationMinutes: MAX_JOB_MIN, maximumLifetimeHours: 8760 }));
    world.ackAgents = false;
    const launch = world.clock.now();
    await world.addRunner({ id: 'i-1', launchedMinutesAgo: 0, agent: `busy:x@${FAR_FUTURE}` });
    const forge = () => world.setTags('i-1', { [TAG.agentState]: `busy:x@${FAR_FUTURE}` });
    // Act
    const bound = hardBoundMs(world, launch + MAX_JOB_MIN * MIN + SCHEDULE);
    const endedAt = await runEvery(world, bound + HOUR, forge);
    // Assess
    expect(endedAt).toBeDefined();
    expect(endedAt!).toBeLessThanOrEqual(bound);
  });

  test('idle@<far future> on an orphan neither keeps it booting nor clears its orphan tag', async () => {
    // Prepare: no registration, an `idle` from the future (read as launch: not booting, no sign of life)
    const world = new World(makeConfig({}, { maximumLifetimeHours: 8760 }));
    await world.addRunner({ id: 'i-1', registered: false, launchedMinutesAgo: 20, agent: `idle@${FAR_FUTURE}` });
    // Act
    const endedAt = await runEvery(world, world.clock.now() + HOUR, async () => {});
    // Assess: tagged, then terminated as an orphan
    expect(endedAt).toBeDefined();
  });
});

describe('the maximum lifetime is a hard bound nothing on the instance extends', () => {
  // Before: a job that rewrote `busy:x@<now>` every minute kept its instance forever.
  test('busy:x@<now> rewritten before every run: retired by launch + lifetime + the retirement bound', async () => {
    // Prepare: times are fresh, so the clamp cannot be what ends it
    const world = new World(makeConfig({}, { maxJobDurationMinutes: MAX_JOB_MIN, maximumLifetimeHours: 1 }));
    world.ackAgents = false;
    const launch = world.clock.now();
    await world.addRunner({ id: 'i-1', launchedMinutesAgo: 0, agent: `busy:x@${launch}` });
    const forge = () => world.setTags('i-1', { [TAG.agentState]: `busy:x@${world.clock.now()}` });
    // Act
    const bound = hardBoundMs(world, launch + HOUR + SCHEDULE);
    const endedAt = await runEvery(world, bound + 2 * HOUR, forge);
    // Assess
    expect(endedAt).toBeDefined();
    expect(endedAt!).toBeLessThanOrEqual(bound);
  });

  test('jobs waiting in its queue do not give it back once it is past its lifetime', async () => {
    // Prepare: an idle instance past its lifetime that answers marks, and a job always waiting
    const world = new World(makeConfig({}, { maximumLifetimeHours: 1 }));
    await world.addRunner({ id: 'i-1', launchedMinutesAgo: 61 });
    await world.sqs.sendMessage(world.config.pools.repo!.queueUrl, '{"job":1}');
    // Act
    const seen = { returnedToService: 0 };
    const endedAt = await runEvery(world, world.clock.now() + HOUR, async () => {}, seen);
    // Assess: retired, never returned to service
    expect(endedAt).toBeDefined();
    expect(seen.returnedToService).toBe(0);
  });

  test('the planner marks it whatever its tag says, and still honours bypass-removal', () => {
    const config = makeConfig({}, { maximumLifetimeHours: 1 });
    const instance = (id: string, tags: Record<string, string>) =>
      observeInstance(
        { ...FLEET_INSTANCE, instanceId: id, launchTimeMs: T0 - HOUR, tags },
        config,
        () => undefined,
        T0,
      );
    const base = { [TAG.environment]: 'test', [TAG.pool]: 'repo', [TAG.owner]: 'acme/app' };
    const plan = planScaleDown(
      {
        observedAtMs: T0,
        instances: [
          { ...instance('i-busy', { ...base, [TAG.agentState]: `busy:x@${T0}` }), registrationKnown: true },
          {
            // marked earlier, still busy: it waits for its bound, never given back to the jobs waiting
            ...instance('i-marked', {
              ...base,
              [TAG.agentState]: `busy:x@${T0}`,
              [TAG.lifecycle]: encodeLifecycle({
                phase: 'quarantined',
                markMs: T0 - 10 * MIN,
                quarantinedMs: T0 - 9 * MIN,
              }),
            }),
            registrationKnown: true,
          },
          {
            ...instance('i-bypass', { ...base, [TAG.agentState]: `busy:x@${T0}`, [TAG.bypassRemoval]: 'true' }),
            registrationKnown: true,
          },
        ],
        owners: [],
        pools: { repo: { name: 'repo', queueDepth: 3 } },
      },
      config,
      T0,
    );
    expect(plan.actions).toEqual([
      expect.objectContaining({ instanceId: 'i-busy', kind: 'retire', from: 'mark', pastLifetime: true }),
    ]);
    expect(plan.skipped).toEqual([
      expect.objectContaining({ instanceId: 'i-marked', reason: 'retiring-wait' }), // its bound ends it
      expect.objectContaining({ instanceId: 'i-bypass', reason: 'bypass-removal' }),
    ]);
  });
});
