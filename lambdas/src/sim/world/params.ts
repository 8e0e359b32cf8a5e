import { z } from 'zod';
import { bootParamsSchema } from './boot.js';
import { hostileParamsSchema } from './hostile/params.js';
import { range } from './range.js';

/**
 * Every behaviour of world-model.md as a parameter with its default, in one place.
 * Ranges are `[min, max]` in seconds, drawn uniformly.
 */

const share = (value: number) => z.number().min(0).max(1).default(value);

const tokenBucket = z.strictObject({ burst: z.number().positive(), perSecond: z.number().positive() });

export const githubParamsSchema = z.strictObject({
  /** A queued job reaches an online idle runner's listener within (world-model.md, "job assignment"). */
  receiveSeconds: range(0, 2),
  /** Variant A: REST `busy` lags assignment; upstream PR #5228 / issue #5085 saw 25–60+ s. */
  busyLag: z
    .strictObject({ fastShare: share(0.9), fastSeconds: range(0, 5), slowSeconds: range(25, 60) })
    .default({ fastShare: 0.9, fastSeconds: [0, 5], slowSeconds: [25, 60] }),
  /** Variant B: REST `busy` reads false mid-job (PR #5228: 12 min 15 s into a job). */
  staleFalse: z
    .strictObject({ chance: share(0.01), seconds: range(60, 900) })
    .default({ chance: 0.01, seconds: [60, 900] }),
  /** A busy listener notices its registration was deleted and cancels the job (Runner.cs). */
  deleteNoticeSeconds: range(0, 50),
  /** An idle listener exits within one poll after its registration is deleted. */
  idleExitSeconds: range(0, 50),
  /** Pessimistic variant: DELETE of an assigned JIT runner answers 204 and the job is cancelled. */
  jitDeleteCancels: z.boolean().default(false),
  /**
   * Whether list runners still shows a consumed JIT runner while its job runs (GET and DELETE
   * answer 404 either way). No public evidence; listing it keeps the upstream module's
   * ephemeral pools from reaping every job past the boot timeout, which production does not report.
   */
  consumedJitListed: z.boolean().default(true),
  /** Label or runner-group changes take effect for matching after this delay (no public figure). */
  labelPropagationSeconds: range(0, 5),
  /** actions/runner #4225: the matcher keeps a runner's old labels until its listener opens a new session. */
  staleLabels: z.boolean().default(false),
  /** A runner-group move takes effect for matching after this delay (independent of label changes; no public figure). */
  groupPropagationSeconds: range(0, 5),
  /** Pessimistic variant: the matcher keeps a runner's old group (a group quarantine fails while labels still work). */
  staleGroups: z.boolean().default(false),
  /** Labels GitHub gives a JIT runner besides its custom ones. */
  defaultLabels: z.array(z.string()).default(['self-hosted', 'linux', 'x64']),
  webhookDelaySeconds: range(1, 10),
  webhookLossRate: share(0.01),
  installationTokenSeconds: z.number().positive().default(3600),
  /** Request latency of a REST call (not in world-model.md: off; scenarios widen race windows with it). */
  callLatencySeconds: range(0, 0),
  /** Fault injection (issue 8): share of REST calls answered 5xx (off by default). */
  errorRate: share(0),
  /** Share of REST calls that time out on the client; some of them took effect on the server first. */
  timeoutRate: share(0),
  /** Of the timed-out calls, the share GitHub carried out before the response was lost. */
  timeoutAppliedShare: share(0.5),
  /** How long the client waits before it gives up on a call that times out. */
  timeoutSeconds: z.number().positive().default(10),
  /** Primary limit per installation and hour; the secondary limit in points per minute and endpoint. */
  primaryLimitPerHour: z.number().int().positive().default(5000),
  secondaryPointsPerMinute: z.number().int().positive().default(900),
  mutationPoints: z.number().int().positive().default(5),
});

export const ec2ParamsSchema = z.strictObject({
  /** `pending` to `running`. */
  runningSeconds: range(5, 20),
  // CreateFleet to runner online is split into phases by the runner's source: world.boot (boot.ts).
  /** Share of instances whose runner never comes online (orphans). Not in world-model.md: off. */
  bootFailureRate: share(0),
  /** `shutting-down` to `terminated`. */
  shutdownSeconds: range(10, 40),
  /** DescribeInstances sees a tag write after (EC2 docs: eventually consistent). */
  tagReadLagSeconds: range(0, 2),
  /** Instance metadata shows the instance its own tags after. */
  imdsLagSeconds: range(0, 10),
  /** Request latency of an EC2/SSM/SQS call (not in world-model.md: off). */
  callLatencySeconds: range(0, 0),
  /** RequestLimitExceeded at random, per call. */
  throttleRate: share(0),
  /** Account-wide token buckets; off by default (pessimistic at-scale values in world-model.md). */
  tokenBuckets: z.strictObject({ describe: tokenBucket, mutating: tokenBucket }).nullable().default(null),
  /** Spot interruptions per spot instance-hour, with a 2-minute warning. Off by default. */
  spotInterruptionsPerHour: z.number().min(0).default(0),
  spotWarningSeconds: z.number().min(0).default(120),
});

export const runnerParamsSchema = z.strictObject({
  /** The listener spawns the worker after receiving the job. */
  workerSpawnSeconds: range(0, 2),
  /** Job-started hook runs inside the worker after action download. */
  hookSeconds: range(2, 30),
  /** The agent sees a worker appear or go. */
  agentNoticeSeconds: range(0, 1),
  /** One state-tag write takes. */
  agentWriteSeconds: range(0, 3),
  /** A reusable instance's fresh JIT registration comes online after the new config arrives. */
  reconfigureSeconds: range(2, 10),
  /** The agent reads its own tags through instance metadata every TAG_POLL_SECONDS (5): the phase of that poll. */
  tagPollSeconds: range(0, 5),
  /** Agent tag writes go through EC2's throttling (windows, random throttles, token buckets) and retry after 1 s. */
  agentWritesThrottled: z.boolean().default(false),
  /** Chance per instance that its agent dies silently at some point of its life (scenarios). */
  agentDeathChance: share(0),
});

export const worldParamsSchema = z.strictObject({
  github: githubParamsSchema.default(githubParamsSchema.parse({})),
  ec2: ec2ParamsSchema.default(ec2ParamsSchema.parse({})),
  runner: runnerParamsSchema.default(runnerParamsSchema.parse({})),
  /** CreateFleet to runner online, phase by phase, and where the runner binary comes from (issue 15). */
  boot: bootParamsSchema.default(bootParamsSchema.parse({})),
  /** Adversarial scenarios only: a share of the instances run attackers (sim/world/hostile). */
  hostile: hostileParamsSchema.optional(),
});

export type WorldParams = z.output<typeof worldParamsSchema>;
export type WorldParamsInput = z.input<typeof worldParamsSchema>;
export type Range = readonly [number, number];

export const defaultWorldParams: WorldParams = worldParamsSchema.parse({});
