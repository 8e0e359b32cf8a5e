import { describe, expect, test } from '@jest/globals';
import { resolveStrategy, runSimulation, type SimulationResult } from '../../../src/sim/run.js';
import { loadScenario, parseScenario } from '../../../src/sim/scenarios/load.js';
import type { Scenario } from '../../../src/sim/scenarios/schema.js';

/**
 * The HTTP door end to end: the real webhook, scale-up and scale-down handlers with the
 * production adapters (Octokit, AWS SDK v3) against the facades over one world, deployed in the
 * world's Lambda (event source mappings over the pool queues, the schedule, the App's webhook).
 */

const MINUTE = 60_000;

/** Jobs that should have completed: GitHub delivered their `queued` webhook, and they would have ended long enough before the end. */
function expectedDone(result: SimulationResult, marginMs: number) {
  const world = result.world;
  const lost = new Set(world.github.deliveries.filter((d) => d.lost && d.action === 'queued').map((d) => d.jobId));
  return [...world.github.jobs.values()].filter(
    (job) => !lost.has(job.id) && job.arrivalMs + job.durationMs < world.now - marginMs,
  );
}

function metric(result: SimulationResult, fn: string, name: string): number {
  return result.world.lambda.record(fn)?.metrics.get(name) ?? 0;
}

describe('HTTP door', () => {
  let burst: SimulationResult;

  test('burst with quarantine: every job completes, none killed, no instance leaked', async () => {
    // Prepare: the built-in burst through its first burst (120-135 min). The pool maximum is
    // raised above the burst's peak: at the maximum the real scale-up holds jobs (tested below).
    const base = loadScenario('burst');
    const scenario: Scenario = { ...base, pools: { linux: { ...base.pools.linux!, maxRunners: 400 } } };

    // Act
    burst = await runSimulation({
      scenario,
      strategy: resolveStrategy('quarantine'),
      hours: 2.5,
      seed: 3,
      door: 'http',
    });

    // Assess
    const a = burst.accounting;
    expect(burst.door).toBe('http');
    expect(a.jobsSubmitted).toBeGreaterThan(250);
    const due = expectedDone(burst, 15 * MINUTE);
    expect(due.filter((job) => job.status !== 'completed').map((job) => `${job.id}:${job.status}`)).toEqual([]);
    expect(a.jobsKilled).toBe(0);
    expect(a.instancesLeaked).toBe(0);
    expect(a.degraded).toEqual({});
    expect(burst.reports.length).toBeGreaterThan(20);
    // Every delivery the webhook got was routed and answered 2xx.
    const statuses = Object.keys(burst.world.webhooks.stats.byStatus);
    expect(statuses.every((s) => /^2\d\d$/.test(s))).toBe(true);
    expect(burst.world.webhooks.stats.deliveries).toBeGreaterThan(a.jobsSubmitted);
  });

  test('the facades saw the production adapters: GitHub REST, EC2 Query, SSM and SQS calls', () => {
    // Prepare / Act: the run above.
    const facts = burst.doorFacts as Record<string, Record<string, number>>;
    const { github = {}, ec2 = {}, ssm = {}, sqs = {} } = facts;

    // Assess
    expect(github['POST /app/installations/{installation_id}/access_tokens']).toBeGreaterThan(0);
    expect(github['POST /orgs/{org}/actions/runners/generate-jitconfig']).toBeGreaterThan(0);
    expect(github['GET /repos/{owner}/{repo}/actions/jobs/{job_id}']).toBeGreaterThan(0);
    expect(github['GET /orgs/{org}/actions/runners']).toBeGreaterThan(0);
    expect(github['unmatched'] ?? 0).toBe(0);
    expect(ec2['CreateFleet']).toBeGreaterThan(0);
    expect(ec2['CreateTags']).toBeGreaterThan(0);
    expect(ec2['DescribeInstances']).toBeGreaterThan(0);
    expect(ssm['PutParameter']).toBeGreaterThan(0);
    expect(ssm['GetParameter'] ?? ssm['GetParameters']).toBeGreaterThan(0);
    expect(sqs['SendMessage']).toBeGreaterThan(0);
    // Launches came from CreateFleet through the facade.
    expect(burst.accounting.awsCallsByAction['CreateFleet']).toBe(ec2['CreateFleet']);
  });

  test('reusable pool: warm instances serve several jobs, one JIT registration each, surplus retired by scale-down', async () => {
    // Prepare: a warm pool (at most 4 instances) and a trickle of short jobs that ends an hour early.
    const scenario = parseScenario(
      {
        name: 'reusable',
        hours: 3,
        pools: { linux: { ephemeral: false, maxRunners: 4 } },
        workload: [
          {
            pool: 'linux',
            ratePerMinute: 0.6,
            duration: { dist: 'uniform', minMinutes: 2, maxMinutes: 6 },
            windows: [{ fromMinute: 0, toMinute: 120 }],
          },
        ],
      },
      'test',
    );

    // Act
    const result = await runSimulation({
      scenario,
      strategy: resolveStrategy('quarantine'),
      seed: 7,
      keepLog: true,
      door: 'http',
    });

    // Assess
    const world = result.world;
    const jobs = [...world.github.jobs.values()].filter((job) => job.runnerId !== undefined);
    const perInstance = new Map<string, number>();
    for (const job of jobs) perInstance.set(job.instanceId!, (perInstance.get(job.instanceId!) ?? 0) + 1);
    expect([...perInstance.values()].filter((n) => n >= 3).length).toBeGreaterThan(0);
    // No registration outlives one job: every job ran on its own registration.
    const runnerIds = jobs.map((job) => job.runnerId);
    expect(new Set(runnerIds).size).toBe(runnerIds.length);
    // Recycling went through the queue: the agents asked, scale-up answered with fresh registrations.
    expect(world.eventLog.all().filter((l) => l.includes(' agent.recycle.request ')).length).toBeGreaterThan(0);
    expect(metric(result, 'scale-up', 'ScaleUpRecycled')).toBeGreaterThan(0);
    expect(metric(result, 'scale-up', 'ScaleUpRecycleTerminated')).toBe(0);
    // After the load stopped, scale-down retired the warm instances through the protocol.
    expect(metric(result, 'scale-down', 'retired')).toBeGreaterThan(0);
    expect(world.ec2.live()).toEqual([]);
    expect(result.accounting.jobsKilled).toBe(0);
    expect(result.accounting.instancesLeaked).toBe(0);
    const due = expectedDone(result, 15 * MINUTE);
    expect(due.length).toBeGreaterThan(50);
    expect(due.filter((job) => job.status !== 'completed').map((job) => `${job.id}:${job.status}`)).toEqual([]);
  });

  test('pool queues at the maximum: waiting jobs are held as delayed copies, none dead-lettered, all served', async () => {
    // Prepare: one runner at most, five 30-minute jobs at once (timeline jobs, no lost webhooks).
    // With the module's queue settings (visibility six times scale-up's timeout, 3 receives) a job
    // waiting longer would be dead-lettered if scale-up failed its message; it holds a delayed copy instead.
    const scenario = parseScenario(
      {
        name: 'at-maximum',
        hours: 3,
        pools: { linux: { ephemeral: true, maxRunners: 1 } },
        world: { github: { webhookLossRate: 0 } },
        timeline: [0, 1, 2, 3, 4].map((i) => ({ atSeconds: i, pool: 'linux', durationSeconds: 1800 })),
      },
      'test',
    );

    // Act: 3 hours, long enough for the five jobs to run one after another.
    const result = await runSimulation({
      scenario,
      strategy: resolveStrategy('quarantine'),
      seed: 1,
      hours: 3,
      door: 'http',
    });

    // Assess
    expect(result.accounting.degraded).toEqual({});
    expect(result.world.queues.stats.retried).toBe(0);
    expect(metric(result, 'scale-up', 'heldAtMaximum')).toBeGreaterThan(0);
    expect(result.accounting.jobsCompleted).toBe(5);
    expect(result.accounting.jobsKilled).toBe(0);
  });
});
