import { z } from 'zod';
import { poolSchema, scaleDownConfigObject, scaleUpConfigSchema } from '../../config/schema.js';
import { worldParamsSchema } from '../world/params.js';

/**
 * A scenario: fleet and pool config, workload, world parameter overrides, faults and
 * scripted timelines. JSON files validated here; errors name the field (see `loadScenario`).
 */

/** Pool config as `PoolConfig`, with the deployment-only fields given simulator defaults. */
export const scenarioPoolSchema = poolSchema
  .partial({
    owner: true,
    ownerType: true,
    labels: true,
    queueUrl: true,
    queueArn: true,
    deadLetterQueueUrl: true,
    maxRunners: true,
    launchTemplateName: true,
    instanceTypes: true,
    subnetIds: true,
  })
  .extend({
    /** `strategy`: the strategy's own mode (baselines: token for reusable pools; ours: JIT). */
    registration: z.enum(['jit', 'token', 'strategy']).default('strategy'),
    /** Instances launched at time 0 (scripted timelines pin jobs to them by launch index). */
    prelaunch: z.number().int().min(0).max(10_000).default(0),
  });

const durationSchema = z.discriminatedUnion('dist', [
  z.strictObject({ dist: z.literal('fixed'), minutes: z.number().positive() }),
  z.strictObject({ dist: z.literal('uniform'), minMinutes: z.number().positive(), maxMinutes: z.number().positive() }),
  z.strictObject({
    dist: z.literal('lognormal'),
    medianMinutes: z.number().positive(),
    sigma: z.number().positive(),
    maxMinutes: z.number().positive().default(360),
  }),
]);

export const workloadSchema = z.strictObject({
  pool: z.string(),
  /** Poisson arrivals. */
  ratePerMinute: z.number().min(0),
  duration: durationSchema.default({ dist: 'lognormal', medianMinutes: 6, sigma: 0.9, maxMinutes: 120 }),
  /** Labels the jobs ask for; default: the pool's custom labels. */
  labels: z.array(z.string().min(1)).optional(),
  /** Share of jobs asking only for the default labels (world-model.md: 0 %, range 0–10 %). */
  defaultLabelOnlyShare: z.number().min(0).max(1).default(0),
  repos: z
    .array(z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'expected "owner/repo"'))
    .min(1)
    .optional(),
  /** The base rate runs only inside these windows (minutes from the start); default: all the time. */
  windows: z.array(z.strictObject({ fromMinute: z.number().min(0), toMinute: z.number().min(0) })).optional(),
  /** Periodic bursts on top of the base rate. */
  bursts: z
    .strictObject({
      everyMinutes: z.number().positive(),
      lastingMinutes: z.number().positive(),
      ratePerMinute: z.number().min(0),
    })
    .optional(),
});

const functionName = z.enum(['webhook', 'scale-up', 'scale-up-token', 'scale-down']);

/**
 * A crash of one invocation (sim/world/lambda/crash.ts): the first invocation of `function`
 * (default scale-down) at or after `atMinute` dies once `after` was seen `afterCount` times, at the
 * first call or `info` message containing `step`, or `delaySeconds` later, or at the next call.
 */
export const crashSchema = z.strictObject({
  atMinute: z.number().min(0),
  function: functionName.default('scale-down'),
  label: z.string().min(1).optional(),
  after: z.string().min(1).optional(),
  afterCount: z.number().int().min(1).optional(),
  step: z.string().min(1).optional(),
  delaySeconds: z.number().min(0).optional(),
});

/** A second invocation of a scheduled function `offsetSeconds` after each scheduled one, outside its reserved concurrency. */
export const overlapSchema = z.strictObject({
  function: z.literal('scale-down').default('scale-down'),
  offsetSeconds: z.number().min(0),
  fromMinute: z.number().min(0).optional(),
  toMinute: z.number().min(0).optional(),
});

/** What happens to the webhook deliveries of one job (jobs are numbered from 1 in arrival order). */
export const webhookFaultSchema = z.strictObject({
  job: z.number().int().min(1),
  action: z.enum(['queued', 'in_progress', 'completed']).optional(),
  lose: z.boolean().default(false),
  delaySeconds: z.number().min(0).optional(),
  duplicates: z.number().int().min(0).max(10).default(0),
});

export const faultsSchema = z.strictObject({
  /** Every EC2 call answers RequestLimitExceeded inside these windows. */
  ec2ThrottleWindows: z
    .array(z.strictObject({ fromMinute: z.number().min(0), toMinute: z.number().min(0) }))
    .default([]),
  crashes: z.array(crashSchema).default([]),
  overlaps: z.array(overlapSchema).default([]),
  webhooks: z.array(webhookFaultSchema).default([]),
  /** The agent of the instance with this launch index dies silently. */
  agentKills: z.array(z.strictObject({ atMinute: z.number().min(0), instance: z.number().int().min(0) })).default([]),
});

export const timelineJobSchema = z.strictObject({
  atSeconds: z.number().min(0),
  pool: z.string(),
  durationSeconds: z.number().positive(),
  labels: z.array(z.string().min(1)).optional(),
  repo: z
    .string()
    .regex(/^[^/\s]+\/[^/\s]+$/, 'expected "owner/repo"')
    .optional(),
  /** REST busy lag after assignment (variant A), pinned. */
  busyLagSeconds: z.number().min(0).optional(),
  /** REST busy reads false in these windows, seconds after assignment (variant B); [] = never. */
  staleFalse: z.array(z.strictObject({ offsetSeconds: z.number().min(0), seconds: z.number().positive() })).optional(),
  /** Launch index of the instance whose runner must take the job. */
  runner: z.number().int().min(0).optional(),
});

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().default(''),
  environment: z.string().default('sim'),
  org: z.string().default('acme'),
  hours: z.number().positive().default(24),
  scaleDown: z
    .strictObject({
      everyMinutes: z.number().positive().default(5),
      /** The first run, minutes after the start (default: one period). */
      firstAtMinute: z.number().min(0).optional(),
      /** Overrides of `ScaleDownConfig` (settleSeconds, quarantineGroupName, …). */
      config: scaleDownConfigObject.partial().omit({ pools: true, github: true, environment: true }).default({}),
    })
    .default({ everyMinutes: 5, config: {} }),
  /** Overrides of `ScaleUpConfig` (checkJobQueued, heldJobs, jobRecheck). */
  scaleUp: scaleUpConfigSchema
    .partial()
    .omit({
      pools: true,
      github: true,
      environment: true,
      registration: true,
      runnerConfigPath: true,
      instanceArnPrefix: true,
    })
    .default({}),
  /** The functions as Lambda runs them (the Terraform module's defaults). */
  functions: z
    .strictObject({
      webhookTimeoutSeconds: z.number().positive().default(10),
      scaleUpTimeoutSeconds: z.number().positive().default(60),
      scaleDownTimeoutSeconds: z.number().positive().default(300),
      /** Reserved concurrency of the webhook (undefined: none); scale-down always runs with 1. */
      webhookReservedConcurrency: z.number().int().min(1).optional(),
    })
    .default({ webhookTimeoutSeconds: 10, scaleUpTimeoutSeconds: 60, scaleDownTimeoutSeconds: 300 }),
  pools: z.record(
    z.string().regex(/^[a-z0-9-]{1,32}$/, 'pool names are 1-32 lowercase letters, digits, dashes'),
    scenarioPoolSchema,
  ),
  workload: z.array(workloadSchema).default([]),
  world: worldParamsSchema.default(worldParamsSchema.parse({})),
  faults: faultsSchema.default({ ec2ThrottleWindows: [], crashes: [], overlaps: [], webhooks: [], agentKills: [] }),
  timeline: z.array(timelineJobSchema).default([]),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioPool = z.output<typeof scenarioPoolSchema>;
export type Workload = z.output<typeof workloadSchema>;
