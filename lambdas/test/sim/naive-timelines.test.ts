import { describe, expect, test } from '@jest/globals';
import { naiveStrategy } from '../../src/sim/baselines/naive.js';
import { runSimulation } from '../../src/sim/run.js';
import { parseScenario } from '../../src/sim/scenarios/load.js';
import type { ScenarioInput } from '../../src/sim/scenarios/schema.js';

/**
 * The two production timelines of upstream issue #5085 / PR #5228, pinned job by job,
 * and the naive strategy killing those jobs. Each has a control that differs in the one
 * pinned fact, so the test fails if the kill does not come from that fact.
 */
function scripted(timeline: ScenarioInput['timeline'], everyMinutes: number): ScenarioInput {
  return {
    name: 'scripted',
    hours: 1,
    scaleDown: { everyMinutes, config: {} },
    pools: { linux: { ephemeral: false, maxRunners: 1, prelaunch: 1, registration: 'token' } },
    timeline,
  };
}

async function run(input: ScenarioInput) {
  const result = await runSimulation({
    scenario: parseScenario(input, 'test'),
    strategy: naiveStrategy,
    seed: 1,
    keepLog: true,
  });
  const job = result.world.github.jobs.get(1);
  if (!job) throw new Error('the pinned job was not submitted');
  return { result, job };
}

describe('naive strategy on the production timelines (upstream #5085 / PR #5228)', () => {
  test('a job assigned seconds before the busy check is killed: REST busy still reads false', async () => {
    // Prepare: the check runs at 10:00; the job lands on the runner at 09:57 and GitHub shows busy 30 s later.
    const input = scripted(
      [{ atSeconds: 597, pool: 'linux', durationSeconds: 600, busyLagSeconds: 30, staleFalse: [], runner: 0 }],
      10,
    );
    // Act
    const { result, job } = await run(input);
    // Assess
    expect(job).toMatchObject({ status: 'killed', cause: 'terminate' });
    expect(job.endMs! - result.world.startMs).toBe(600_000);
    expect(result.accounting.jobsKilled).toBe(1);
    expect(result.accounting.jobsKilledByCause).toEqual({ terminate: 1, delete: 0, label: 0 });
    expect(result.world.eventLog.all().filter((l) => l.startsWith('0000:10:00.000 gh.delete'))).toHaveLength(1);
  });

  test('control: the same job with the busy flag already set survives the check', async () => {
    const input = scripted(
      [{ atSeconds: 597, pool: 'linux', durationSeconds: 600, busyLagSeconds: 1, staleFalse: [], runner: 0 }],
      10,
    );
    const { result, job } = await run(input);
    expect(job.status).toBe('completed');
    expect(result.accounting.jobsKilled).toBe(0);
  });

  test('a busy flag reading false 12 min 15 s into a 30-minute job gets the job killed by the next check', async () => {
    // Prepare: assigned at ~02:00; REST busy reads false from 14:15 for 5 minutes; checks every 5 minutes.
    const input = scripted(
      [
        {
          atSeconds: 120,
          pool: 'linux',
          durationSeconds: 1800,
          busyLagSeconds: 2,
          staleFalse: [{ offsetSeconds: 735, seconds: 300 }],
          runner: 0,
        },
      ],
      5,
    );
    // Act
    const { result, job } = await run(input);
    // Assess: the checks at 05:00 and 10:00 see busy; the one at 15:00 sees the stale false and kills.
    expect(job).toMatchObject({ status: 'killed', cause: 'terminate' });
    expect(job.endMs! - result.world.startMs).toBe(900_000);
    expect(job.endMs! - job.workerStartMs!).toBeGreaterThan(12 * 60_000);
  });

  test('control: without the stale window the 30-minute job completes', async () => {
    const input = scripted(
      [{ atSeconds: 120, pool: 'linux', durationSeconds: 1800, busyLagSeconds: 2, staleFalse: [], runner: 0 }],
      5,
    );
    const { result, job } = await run(input);
    expect(job.status).toBe('completed');
    expect(result.accounting.jobsCompleted).toBe(1);
  });
});

describe('naive strategy housekeeping', () => {
  test('an instance whose runner never registers is terminated as an orphan after the boot timeout', async () => {
    // Prepare
    const input: ScenarioInput = {
      name: 'orphan',
      hours: 1,
      pools: { linux: { ephemeral: false, maxRunners: 1, prelaunch: 1, registration: 'token', bootTimeoutMinutes: 8 } },
      world: { ec2: { bootFailureRate: 1 } },
    };
    // Act
    const { accounting, world } = await runSimulation({
      scenario: parseScenario(input, 'test'),
      strategy: naiveStrategy,
      seed: 1,
    });
    const [instance] = world.ec2.instances.values();
    // Assess
    expect(accounting.orphansReaped).toBe(1);
    expect((instance?.terminatedMs ?? 0) - world.startMs).toBe(10 * 60_000);
    expect(accounting.instancesLeaked).toBe(0);
  });

  test('a scale-down run that crashes at a named step does no more; the next run carries on', async () => {
    // Prepare: the runner is idle surplus; the 10:00 run dies just before TerminateInstances.
    const input: ScenarioInput = {
      name: 'crash',
      hours: 0.5,
      scaleDown: { everyMinutes: 10, config: {} },
      pools: { linux: { ephemeral: false, maxRunners: 1, prelaunch: 1, registration: 'token' } },
      faults: { crashes: [{ atMinute: 10, step: 'ec2.TerminateInstances' }] },
    };
    // Act
    const result = await runSimulation({
      scenario: parseScenario(input, 'test'),
      strategy: naiveStrategy,
      seed: 1,
      keepLog: true,
    });
    const log = result.world.eventLog.all();
    // Assess
    expect(
      log.some((l) =>
        /^0000:10:00\.000 lambda\.crashed fn=scale-down request=\S+ where=ec2\.TerminateInstances/.test(l),
      ),
    ).toBe(true);
    expect(log.some((l) => l.includes('gh.delete'))).toBe(true);
    // The deregistered runner's listener exits (its agent asks for a fresh registration, which a
    // token pool does not give); the next run ends the instance, now without a runner.
    const [instance] = result.world.ec2.instances.values();
    expect(instance?.terminatedBy).toBe('control-plane');
    expect((instance?.terminatedMs ?? 0) - result.world.startMs).toBe(20 * 60_000);
    // Runs at 10:00 (crashed: no report), 20:00 and 30:00.
    expect(result.reports).toHaveLength(2);
    expect(result.world.engine.invocationsInFlight).toBe(0);
  });
});
