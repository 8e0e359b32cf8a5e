import { describe, expect, test } from '@jest/globals';
import { runHttpSimulation, type HttpSimulationResult } from '../../../src/sim/http/run.js';
import { resolveStrategy } from '../../../src/sim/run.js';
import { loadScenario, parseScenario } from '../../../src/sim/scenarios/load.js';
import type { Scenario } from '../../../src/sim/scenarios/schema.js';

/**
 * The HTTP door end to end: the real webhook, scale-up and scale-down handlers with the
 * production adapters (Octokit, AWS SDK v3) against the facades over one world.
 */

const MINUTE = 60_000;

/** Jobs that should have completed: GitHub delivered their `queued` webhook, and they would have ended long enough before the end. */
function expectedDone(result: HttpSimulationResult, marginMs: number) {
  const world = result.world;
  const lost = new Set(world.github.deliveries.filter((d) => d.lost && d.action === 'queued').map((d) => d.jobId));
  return [...world.github.jobs.values()].filter(
    (job) => !lost.has(job.id) && job.arrivalMs + job.durationMs < world.now - marginMs,
  );
}

describe('HTTP door', () => {
  let burst: HttpSimulationResult;

  test('burst with quarantine: every job completes, none killed, no instance leaked', async () => {
    // Prepare: the built-in burst through its second burst (120-135 min). The pool maximum is
    // raised above the burst's peak: at the maximum the real scale-up can starve jobs (see the report).
    const base = loadScenario('burst');
    const scenario: Scenario = {
      ...base,
      pools: { linux: { ...base.pools.linux!, maxRunners: 400 } },
    };

    // Act
    burst = await runHttpSimulation({ scenario, strategy: resolveStrategy('quarantine'), hours: 2.5, seed: 3 });

    // Assess
    const a = burst.accounting;
    expect(a.jobsSubmitted).toBeGreaterThan(250);
    const due = expectedDone(burst, 15 * MINUTE);
    expect(due.filter((job) => job.status !== 'completed').map((job) => `${job.id}:${job.status}`)).toEqual([]);
    expect(a.jobsKilled).toBe(0);
    expect(a.instancesLeaked).toBe(0);
    expect(burst.http.scaleUpErrors).toBe(0);
    expect(burst.http.scaleDownErrors).toBe(0);
    expect(burst.reports.length).toBeGreaterThan(20);
    // Every delivery the webhook got was routed and answered 2xx.
    const statuses = Object.keys(burst.http.webhookStatus);
    expect(statuses.every((s) => /^2\d\d$/.test(s))).toBe(true);
    expect(burst.http.webhookDeliveries).toBeGreaterThan(a.jobsSubmitted);
  }, 60_000);

  test('the facades saw the production adapters: GitHub REST, EC2 Query, SSM and SQS calls', () => {
    // Prepare / Act: the run above.
    const { github, ec2, ssm, sqs } = burst.http;

    // Assess
    expect(github['POST /app/installations/{installation_id}/access_tokens']).toBeGreaterThan(0);
    expect(github['POST /orgs/{org}/actions/runners/generate-jitconfig']).toBeGreaterThan(0);
    expect(github['GET /repos/{owner}/{repo}/actions/jobs/{job_id}']).toBeGreaterThan(0);
    expect(github['GET /orgs/{org}/actions/runners']).toBeGreaterThan(0);
    expect(github.unmatched ?? 0).toBe(0);
    expect(ec2.CreateFleet).toBeGreaterThan(0);
    expect(ec2.CreateTags).toBeGreaterThan(0);
    expect(ec2.DescribeInstances).toBeGreaterThan(0);
    expect(ssm.PutParameter).toBeGreaterThan(0);
    expect(ssm.GetParameter ?? ssm.GetParameters).toBeGreaterThan(0);
    expect(sqs.SendMessage).toBeGreaterThan(0);
    // Launches came from CreateFleet through the facade, one instance per job message at most.
    expect(burst.accounting.instancesLaunched).toBeGreaterThan(0);
    expect(burst.accounting.awsCallsByAction.CreateFleet).toBe(ec2.CreateFleet);
  });

  test('reusable pool: warm instances serve several jobs, one JIT registration each, surplus terminated between jobs', async () => {
    // Prepare: a warm pool (idle quota 2, at most 4 instances) and a steady trickle of short jobs.
    const scenario = parseScenario(
      {
        name: 'reusable',
        hours: 3,
        pools: {
          linux: {
            ephemeral: false,
            maxRunners: 4,
            idleConfig: [{ cron: '* * * * *', idleCount: 2 }],
          },
        },
        workload: [{ pool: 'linux', ratePerMinute: 0.6, duration: { dist: 'uniform', minMinutes: 2, maxMinutes: 6 } }],
      },
      'test',
    );

    // Act
    const result = await runHttpSimulation({
      scenario,
      strategy: resolveStrategy('quarantine'),
      seed: 7,
      keepLog: true,
    });

    // Assess
    const world = result.world;
    const jobs = [...world.github.jobs.values()].filter((job) => job.runnerId !== undefined);
    const perInstance = new Map<string, number>();
    for (const job of jobs) perInstance.set(job.instanceId!, (perInstance.get(job.instanceId!) ?? 0) + 1);
    const warm = [...perInstance.values()].filter((n) => n >= 3);
    expect(warm.length).toBeGreaterThan(0);
    // No registration outlives one job: every job ran on its own registration.
    const runnerIds = jobs.map((job) => job.runnerId);
    expect(new Set(runnerIds).size).toBe(runnerIds.length);
    // Each registration was generated by scale-up for its instance (JIT, named after the instance).
    const registrations = new Map<string, number>();
    for (const line of world.eventLog.text().split('\n')) {
      const match = /gh\.register runner=\d+ instance=(\S+) jit=true/.exec(line);
      if (match) registrations.set(match[1]!, (registrations.get(match[1]!) ?? 0) + 1);
    }
    for (const [instanceId, served] of perInstance) {
      expect(registrations.get(instanceId)).toBeGreaterThanOrEqual(served);
      expect(registrations.get(instanceId)).toBeLessThanOrEqual(served + 1);
    }
    // Recycling went through the queue: warm reuse and surplus termination both happened.
    expect(result.http.recycle.requestsSent).toBeGreaterThan(0);
    expect(result.http.recycle.restarts).toBeGreaterThan(0);
    expect(result.http.metrics['scale-up']?.ScaleUpRecycled).toBeGreaterThan(0);
    expect(result.http.metrics['scale-up']?.ScaleUpRecycleTerminated).toBeGreaterThan(0);
    const recycleTerminated = [...world.ec2.instances.values()].filter(
      (i) => i.terminatedBy === 'control-plane' && (perInstance.get(i.id) ?? 0) > 0,
    );
    expect(recycleTerminated.length).toBeGreaterThan(0);
    expect(result.accounting.jobsKilled).toBe(0);
    expect(result.accounting.instancesLeaked).toBe(0);
    const due = expectedDone(result, 15 * MINUTE);
    expect(due.length).toBeGreaterThan(50);
    expect(due.filter((job) => job.status !== 'completed').map((job) => `${job.id}:${job.status}`)).toEqual([]);
  }, 60_000);

  test('pool queues at the maximum: waiting jobs are held as delayed copies, none dead-lettered, all served', async () => {
    // Prepare: one runner at most, five 30-minute jobs at once (timeline jobs, no lost webhooks).
    // With the module's queue settings (180 s visibility, 3 receives) a job waiting longer than
    // 9 minutes would be dead-lettered if scale-up failed its message; it holds a delayed copy instead.
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
    const result = await runHttpSimulation({ scenario, strategy: resolveStrategy('quarantine'), seed: 1, hours: 3 });

    // Assess
    expect(result.http.deadLettered).toBe(0);
    expect(result.http.scaleUpRetried).toBe(0);
    expect(result.http.metrics['scale-up']?.['heldAtMaximum']).toBeGreaterThan(0);
    expect(result.accounting.jobsCompleted).toBe(5);
    expect(result.accounting.jobsKilled).toBe(0);
  }, 60_000);
});
