import type { RepoRef } from '../../ports/github.js';
import type { Rng } from '../engine/rng.js';
import { instanceIdFor } from '../world/ec2.js';
import type { World } from '../world/world.js';
import type { Scenario, Workload } from './schema.js';

const MINUTE = 60_000;

function normal(rng: Rng): number {
  // Box-Muller; 1 - next() keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

export function drawDurationMs(rng: Rng, duration: Workload['duration']): number {
  switch (duration.dist) {
    case 'fixed':
      return duration.minutes * MINUTE;
    case 'uniform':
      return rng.uniform(duration.minMinutes, duration.maxMinutes) * MINUTE;
    case 'lognormal':
      return Math.min(duration.maxMinutes, duration.medianMinutes * Math.exp(duration.sigma * normal(rng))) * MINUTE;
  }
}

function repoRef(value: string): RepoRef {
  const [owner = '', repo = ''] = value.split('/');
  return { owner, repo };
}

/** Poisson arrivals per workload entry (plus periodic bursts), each from its own RNG stream. */
export function scheduleWorkload(world: World, scenario: Scenario, endMs: number): void {
  scenario.workload.forEach((workload, index) => {
    const pool = world.pools.get(workload.pool);
    if (!pool) return;
    const jobs = world.ctx.rng(`workload.${index}.jobs`);
    const defaultRepo = pool.owner.kind === 'repo' ? `${pool.owner.owner}/${pool.owner.repo}` : `${pool.owner.org}/app`;
    const repos = (workload.repos ?? [defaultRepo]).map(repoRef);
    const submit = (): void => {
      const defaultOnly = jobs.chance(workload.defaultLabelOnlyShare);
      world.submitJob({
        repo: jobs.pick(repos),
        labels: defaultOnly ? ['self-hosted'] : (workload.labels ?? pool.config.labels),
        pool: pool.name,
        durationMs: drawDurationMs(jobs, workload.duration),
      });
    };
    const poisson = (stream: string, rate: number, fromMs: number, toMs: number): void => {
      if (rate <= 0) return;
      const rng = world.ctx.rng(stream);
      const next = (after: number): void => {
        const at = Math.round(after + rng.exponential(rate) * MINUTE);
        if (at >= toMs) return;
        world.engine.at(at, 'arrival', () => {
          submit();
          next(at);
        });
      };
      next(fromMs);
    };
    const windows = workload.windows ?? [{ fromMinute: 0, toMinute: Number.POSITIVE_INFINITY }];
    windows.forEach((w, i) =>
      poisson(
        i === 0 ? `workload.${index}.arrivals` : `workload.${index}.arrivals.${i}`,
        workload.ratePerMinute,
        world.startMs + w.fromMinute * MINUTE,
        Math.min(endMs, world.startMs + w.toMinute * MINUTE),
      ),
    );
    const bursts = workload.bursts;
    if (bursts) {
      for (
        let start = world.startMs + bursts.everyMinutes * MINUTE;
        start < endMs;
        start += bursts.everyMinutes * MINUTE
      ) {
        poisson(
          `workload.${index}.bursts`,
          bursts.ratePerMinute,
          start,
          Math.min(endMs, start + bursts.lastingMinutes * MINUTE),
        );
      }
    }
  });
  for (const pinned of scenario.timeline) {
    const pool = world.pools.get(pinned.pool);
    if (!pool) continue;
    const defaultRepo = pool.owner.kind === 'repo' ? `${pool.owner.owner}/${pool.owner.repo}` : `${pool.owner.org}/app`;
    world.engine.at(world.startMs + pinned.atSeconds * 1000, 'timeline', () => {
      world.submitJob({
        repo: repoRef(pinned.repo ?? defaultRepo),
        labels: pinned.labels ?? pool.config.labels,
        pool: pool.name,
        durationMs: pinned.durationSeconds * 1000,
        ...(pinned.runner === undefined ? {} : { pinnedInstance: instanceIdFor(pinned.runner) }),
        ...(pinned.busyLagSeconds === undefined ? {} : { pinnedBusyLagMs: pinned.busyLagSeconds * 1000 }),
        ...(pinned.staleFalse === undefined
          ? {}
          : {
              pinnedStale: pinned.staleFalse.map((w) => ({
                offsetMs: w.offsetSeconds * 1000,
                durationMs: w.seconds * 1000,
              })),
            }),
      });
    });
  }
}

/** The scenario's world faults: EC2 throttle windows, per-job webhook fates, crashes, agent kills. */
export function scheduleFaults(world: World, scenario: Scenario): void {
  world.ec2.throttleWindows = scenario.faults.ec2ThrottleWindows.map((w) => ({
    fromMs: world.startMs + w.fromMinute * MINUTE,
    toMs: world.startMs + w.toMinute * MINUTE,
  }));
  for (const fault of scenario.faults.webhooks) {
    const { job, ...rest } = fault;
    world.github.webhookFaults.set(job, [...(world.github.webhookFaults.get(job) ?? []), rest]);
  }
  world.lambda.armCrashes(scenario.faults.crashes, world.startMs);
  for (const kill of scenario.faults.agentKills) {
    world.engine.at(world.startMs + kill.atMinute * MINUTE, 'agent-kill', () => {
      const host = world.hosts.hosts.get(instanceIdFor(kill.instance));
      if (host) world.hosts.killAgent(host);
    });
  }
}
