import { z } from 'zod';
import type { WorldContext } from './context.js';
import { range } from './range.js';

/**
 * Where an instance's actions/runner comes from (issue 15): the module's S3 cache in the region,
 * GitHub's release download, or baked into a prebuilt AMI.
 */
export const RUNNER_SOURCES = ['cache', 'github', 'ami'] as const;
export type RunnerSource = (typeof RUNNER_SOURCES)[number];

/** The module's default: the runner binary cache (an S3 bucket the module owns and fills). */
export const DEFAULT_RUNNER_SOURCE: RunnerSource = 'cache';

/**
 * The runner fetch per source, seconds. The tarball (actions-runner-linux-x64) was ~73 MB in 2020
 * (MonolithProjects/ansible-github_actions_runner#18) and ~100 MB at the end of 2021
 * (actions/runner#1568); it has grown since with more Node externals (no sourced figure for today's:
 * the ranges below allow for twice that).
 */
const fetchSecondsSchema = z.strictObject({
  /**
   * S3 in the same region: AWS's S3 performance guidelines give 85–90 MB/s per connection and the
   * AWS CLI fetches an object in parallel parts, so even twice 100 MB is a few seconds; plus the CLI's start and
   * the sha256 check. The upper end is a small instance's burst network bandwidth (pessimistic).
   */
  cache: range(3, 10),
  /**
   * github.com release download: the upstream module's maintainer found it "can be slow. Adding a
   * minute or more to the boot time" once fleets scale out, which is why upstream added its binary
   * cache (github-aws-runners/terraform-aws-github-runner#2593, 2022-10-31). About a minute, wide.
   */
  github: range(30, 90),
  /** Baked into the AMI (upstream's own recommendation in the same thread): nothing to fetch. */
  ami: range(0, 0),
});

/**
 * CreateFleet to runner online, in phases (world-model.md: 30–90 s, peers' published figures,
 * with the runner fetched from a cache as upstream does by default). The phases sum to 30–78 s
 * with the cache, 57–158 s from GitHub and 25–60 s from a prebuilt AMI.
 */
export const bootParamsSchema = z.strictObject({
  runnerSource: z.enum(RUNNER_SOURCES).default(DEFAULT_RUNNER_SOURCE),
  /**
   * CreateFleet to user data start: `pending` to `running` (5–20 s, ec2.runningSeconds), the
   * kernel and systemd (8.8 s on Ubuntu 24.04, depot.dev "Accelerating builds: improving EC2 boot
   * time", 2025) and cloud-init; depot.dev measured about 40 s from RunInstances to a ready stock
   * instance ("Making EC2 boot time 8x faster", 2024).
   */
  userDataStartSeconds: range(20, 40),
  fetchSeconds: fetchSecondsSchema.default(fetchSecondsSchema.parse({})),
  /**
   * tar xzf of the tarball and installdependencies.sh (skipped with a prebuilt AMI, whose runner is
   * unpacked already). GitHub's runner-images team: a ~120 MB archive downloads and unpacks in
   * "normally less than 10 s" (actions/runner-images#8416).
   */
  unpackSeconds: range(2, 8),
  /**
   * run.sh with the JIT config to the runner online (the .NET listener starts and opens its
   * session); GitHub's own runner start-up and job assignment add about 8–10 s to a booted
   * machine (discussion of depot.dev's 2024 post). Paid before the agent reads its config: the
   * config is in SSM long before a booting instance asks for it.
   */
  startSeconds: range(5, 20),
});

export type BootParams = z.output<typeof bootParamsSchema>;

/** One instance's boot, in milliseconds per phase. */
export interface BootPhases {
  readonly source: RunnerSource;
  readonly userDataStartMs: number;
  readonly fetchMs: number;
  readonly unpackMs: number;
  readonly startMs: number;
  readonly totalMs: number;
}

/**
 * Draws one instance's boot. Each phase has its own stream, and every phase is drawn for every
 * source, so the n-th instance gets the same draws whatever the source: a run with another source
 * differs only in the phases that source changes (ami < cache < github, instance by instance).
 */
export function drawBoot(ctx: WorldContext): BootPhases {
  const p = ctx.params.boot;
  const source = p.runnerSource;
  const userDataStartMs = ctx.drawMs('boot.userDataStart', p.userDataStartSeconds);
  const fetchMs = ctx.drawMs('boot.fetch', p.fetchSeconds[source]);
  const unpackDrawnMs = ctx.drawMs('boot.unpack', p.unpackSeconds);
  const unpackMs = source === 'ami' ? 0 : unpackDrawnMs;
  const startMs = ctx.drawMs('boot.start', p.startSeconds);
  return {
    source,
    userDataStartMs,
    fetchMs,
    unpackMs,
    startMs,
    totalMs: userDataStartMs + fetchMs + unpackMs + startMs,
  };
}
