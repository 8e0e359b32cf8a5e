import { z } from 'zod';
import { poolSchema, scaleDownConfigSchema } from '../../config/schema.js';
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
  /** Periodic bursts on top of the base rate. */
  bursts: z
    .strictObject({
      everyMinutes: z.number().positive(),
      lastingMinutes: z.number().positive(),
      ratePerMinute: z.number().min(0),
    })
    .optional(),
});

export const faultsSchema = z.strictObject({
  /** Every EC2 call answers RequestLimitExceeded inside these windows. */
  ec2ThrottleWindows: z
    .array(z.strictObject({ fromMinute: z.number().min(0), toMinute: z.number().min(0) }))
    .default([]),
  /** The first scale-down run at or after `atMinute` dies at the first port call (or log message) whose name contains `step`. */
  crashes: z.array(z.strictObject({ atMinute: z.number().min(0), step: z.string().min(1) })).default([]),
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
      config: scaleDownConfigSchema.partial().omit({ pools: true, github: true, environment: true }).default({}),
    })
    .default({ everyMinutes: 5, config: {} }),
  pools: z.record(
    z.string().regex(/^[a-z0-9-]{1,32}$/, 'pool names are 1-32 lowercase letters, digits, dashes'),
    scenarioPoolSchema,
  ),
  workload: z.array(workloadSchema).default([]),
  world: worldParamsSchema.default(worldParamsSchema.parse({})),
  faults: faultsSchema.default({ ec2ThrottleWindows: [], crashes: [], agentKills: [] }),
  timeline: z.array(timelineJobSchema).default([]),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioPool = z.output<typeof scenarioPoolSchema>;
export type Workload = z.output<typeof workloadSchema>;
