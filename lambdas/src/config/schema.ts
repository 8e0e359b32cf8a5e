import { z } from 'zod';
import { INSTANCE_METADATA_TAG_KEY } from '../core/tags.js';
import { runnerLabels } from '../core/webhook/labels.js';
import { cronProblem } from './cron.js';
import { LEASE_MARGIN_SECONDS, minimumLeaseSeconds } from './run-budget.js';

/**
 * The configuration contract between Terraform and the Lambdas. Every default lives here,
 * once; Terraform passes only what the user set (or the module's documented value).
 */

const ssmParameterName = z
  .string()
  .regex(/^\/[A-Za-z0-9_.\-/]+$/, 'expected an SSM parameter name starting with "/" (letters, digits, _ . - /)');

const githubOwner = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}(\/[A-Za-z0-9._-]{1,100})?$/, 'expected an organization or "owner/repo"');

const runnerLabel = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^,\s]+$/, 'a label has no spaces or commas');

/** https, or http to a loopback host (the simulator's facades, a local test server), which never leaves the machine. */
export const httpsOrLoopbackUrl = z
  .url({ protocol: /^https?$/ })
  .refine(
    (url) => url.startsWith('https://') || /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(url),
    'expected an https URL (http only for a loopback host)',
  );

export const githubSchema = z.strictObject({
  /**
   * https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server. Installation
   * tokens and the App's JWT travel here: https only, but for a loopback host (the simulator's
   * GitHub facade, a local test server), which never leaves the machine.
   */
  apiUrl: httpsOrLoopbackUrl.default('https://api.github.com'),
  appIdParameter: ssmParameterName,
  privateKeyParameter: ssmParameterName,
  /** Owner (org or owner/repo) → installation id. Unlisted owners are looked up and cached. */
  installationIds: z.record(githubOwner, z.number().int().positive()).default({}),
  /** How long credentials read from SSM are reused. */
  secretCacheSeconds: z.number().int().min(0).max(3600).default(300),
});

export const idleRuleSchema = z
  .strictObject({
    /** Five-field cron, or upstream's six (seconds first); while it matches, keep `idleCount` idle runners (upstream `idle_config`). */
    cron: z.string().min(9),
    timeZone: z.string().default('UTC'),
    idleCount: z.number().int().min(0),
    evictionStrategy: z.enum(['oldest_first', 'newest_first']).default('oldest_first'),
  })
  .superRefine((rule, ctx) => {
    // Evaluated every run: a cron that cannot be would fail each run, so it is refused at cold start.
    const problem = cronProblem(rule.cron, rule.timeZone);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['cron'], message: problem });
  });

/**
 * A warm pool (upstream `pool_config`): while the cron matches the current minute, scale-up keeps
 * `size` runners of the pool ready for jobs (idle or booting), launching what is missing once a
 * minute, and scale-down keeps that many idle (core/capacity). The cron takes the idle rules'
 * forms and upstream's EventBridge `cron(...)`/`rate(...)` (config/cron.ts).
 */
export const warmRuleSchema = z
  .strictObject({
    cron: z.string().min(6),
    timeZone: z.string().default('UTC'),
    size: z.number().int().min(0).max(10_000),
  })
  .superRefine((rule, ctx) => {
    const problem = cronProblem(rule.cron, rule.timeZone);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['cron'], message: problem });
  });

const tagMap = z.record(
  z.string().regex(INSTANCE_METADATA_TAG_KEY, 'tag keys must be legal in instance metadata (no "/" or spaces)'),
  z.string().max(256),
);

/**
 * Tags a user adds to instances (`extraTags`, a pool's `instanceTags`): `ghr:*` keys are the
 * module's own (its state and IAM conditions read them), `aws:*` keys are AWS's.
 */
const userTagMap = tagMap.refine(
  (tags) => !Object.keys(tags).some((k) => k.startsWith('ghr:') || k.toLowerCase().startsWith('aws:')),
  {
    message: 'ghr:* tag keys are set by this module and aws:* keys are reserved by AWS',
  },
);

export const poolSchema = z.strictObject({
  owner: githubOwner,
  ownerType: z.enum(['org', 'repo']),
  /** Custom labels jobs target this pool by. Pools must be targeted by a custom label (see docs/safety.md). */
  labels: z.array(runnerLabel).min(1, 'a pool needs at least one custom label'),
  /**
   * Upstream's `matcherConfig.labelMatchers`: label sets a job is matched against. Default: the
   * runner's own labels. Every label must be one the pool's runners carry (checked below).
   */
  labelMatchers: z.array(z.array(runnerLabel).min(1)).min(1).max(16).optional(),
  /** Upstream's `exactMatch`: every job label in one matcher, instead of one label shared with it. */
  exactMatch: z.boolean().default(false),
  /** Upstream's `priority`: among pools that fit a job, the lowest number wins (exactMatch pools first). */
  priority: z.number().int().min(0).max(999).default(999),
  /** true: one job per instance. false: warm instance, a fresh JIT registration per job. */
  ephemeral: z.boolean().default(true),
  queueUrl: z.url(),
  /**
   * The ARN of `queueUrl`: scale-up takes a message's pool from the queue the event source
   * mapping read it from (the record's `eventSourceARN`), never from the body a runner can write
   * (docs/threat-model.md).
   */
  queueArn: z.string().regex(/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$/, 'expected an SQS queue ARN'),
  /** The pool's dead-letter queue: a job scale-up cannot launch for is sent here with its reason. */
  deadLetterQueueUrl: z.url(),
  /**
   * Reusable pools: the queue the pool's runners send recycle requests to, apart from the job
   * queue, so a runner cannot put a job message anywhere and the job queue's depth is demand only.
   */
  recycleQueueUrl: z.url().optional(),
  recycleQueueArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$/, 'expected an SQS queue ARN')
    .optional(),
  runnerGroupId: z.number().int().positive().default(1),
  maxRunners: z.number().int().min(0).max(10_000),
  idleConfig: z.array(idleRuleSchema).default([]),
  /**
   * Re-run a job lost to a spot reclaim (core/scale-up/spot.ts): needs the App's `actions: write`.
   * Off by default: a re-run repeats the job's side effects (deployments, publishing).
   */
  rerunOnSpotInterruption: z.boolean().default(false),
  /**
   * Drain a spot instance at EC2's rebalance recommendation (core/scale-up/spot.ts): quarantined,
   * replaced in a warm pool, retired once idle. Off by default: recommendations come often without an
   * interruption, and each drain costs a replacement's boot.
   */
  drainOnRebalanceRecommendation: z.boolean().default(false),
  /** Warm-pool rules, the first matching one wins (a size above `maxRunners` is refused below). */
  warmPool: z.array(warmRuleSchema).max(16).default([]),
  minimumRunningTimeMinutes: z.number().int().min(0).max(1440).default(5),
  bootTimeoutMinutes: z.number().int().min(1).max(120).default(8),
  /** The backstop for silent agents waits quarantine + this long before it terminates. */
  maxJobDurationMinutes: z.number().int().min(1).max(7200).default(360),
  /**
   * The hard bound on an instance's life that nothing on the instance can extend (a job runs as
   * root and writes its own agent tag: docs/threat-model.md). Past it, scale-down retires the
   * instance through the protocol whatever its agent says, never returns it to service, and the
   * retirement bound ends it; scale-up's recycle answer terminates it instead of reusing it.
   */
  maximumLifetimeHours: z.number().int().min(1).max(8760).default(24),
  launchTemplateName: z.string().min(1),
  instanceTypes: z.array(z.string().min(1)).min(1),
  subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, 'expected a subnet id')).min(1),
  capacityType: z.enum(['spot', 'on-demand']).default('spot'),
  /**
   * Spot pools: CreateFleet's spot allocation strategy (upstream `instance_allocation_strategy`).
   * `price-capacity-optimized` is what AWS recommends for most workloads ("Allocation strategies
   * for Spot Instances", EC2 user guide); `capacity-optimized` favours fewer interruptions.
   */
  spotAllocationStrategy: z
    .enum([
      'price-capacity-optimized',
      'capacity-optimized',
      'capacity-optimized-prioritized',
      'lowest-price',
      'diversified',
    ])
    .default('price-capacity-optimized'),
  /** Tags for this pool's instances only (upstream `runner_ec2_tags`), after the fleet's `extraTags`. */
  instanceTags: userTagMap.default({}),
  /** Spot pool: launch on-demand when spot has no capacity. */
  onDemandFallback: z.boolean().default(true),
});

/**
 * A matcher label the pool's runners do not carry would route jobs asking for it to runners
 * GitHub never assigns them to (a job needs every label on the runner): refused at cold start.
 */
function matcherProblem(pool: Pick<PoolConfig, 'instanceTypes' | 'labels' | 'labelMatchers'>): string | undefined {
  const carried = new Set(runnerLabels(pool).map((l) => l.toLowerCase()));
  const missing = [...new Set((pool.labelMatchers ?? []).flat().filter((l) => !carried.has(l.toLowerCase())))];
  if (missing.length === 0) return undefined;
  return `the pool's runners carry ${runnerLabels(pool).join(', ')}, not ${missing.join(', ')}: add it to the pool's labels or drop it from labelMatchers`;
}

export const commonSchema = {
  /** Value of the `ghr:environment` tag: the fleet's identity in a shared account. */
  environment: z.string().regex(/^[A-Za-z0-9_.:@+=-]{1,64}$/, 'expected 1-64 letters, digits or _ . : @ + = -'),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  github: githubSchema,
  pools: z
    .record(z.string().regex(/^[a-z0-9-]{1,32}$/, 'pool names are 1-32 lowercase letters, digits, dashes'), poolSchema)
    .superRefine((pools, ctx) => {
      for (const [name, pool] of Object.entries(pools)) {
        const problem = matcherProblem(pool);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [name, 'labelMatchers'], message: problem });
        pool.warmPool.forEach((rule, i) => {
          if (rule.size > pool.maxRunners) {
            ctx.addIssue({
              code: 'custom',
              path: [name, 'warmPool', i, 'size'],
              message: `a warm pool of ${rule.size} does not fit under the pool's maxRunners (${pool.maxRunners})`,
            });
          }
        });
      }
    }),
};

/**
 * Org pools: the runner group with no repository access that quarantined runners move to. Scale-down
 * quarantines retiring runners there; scale-up, runners EC2 warned of a spot reclaim.
 */
const quarantineGroupName = z.string().min(1).max(100).default('ghr-quarantine');

export const webhookConfigSchema = z.strictObject({
  ...commonSchema,
  webhookSecretParameter: ssmParameterName,
  /** Larger bodies are refused with 413 before the signature is checked. GitHub caps payloads at 25 MB. */
  maxBodyBytes: z.number().int().min(1024).max(26_214_400).default(1_048_576),
});

export const scaleUpConfigSchema = z.strictObject({
  ...commonSchema,
  /** `jit` for github.com and GHES with JIT; `token` only for GHES versions without it. */
  registration: z.enum(['jit', 'token']).default('jit'),
  /** Ask GitHub whether the job is still queued before launching. */
  checkJobQueued: z.boolean().default(true),
  /** SSM path under which runner configs are written, one per instance: `<path>/<pool>/<instance-id>`. */
  runnerConfigPath: ssmParameterName,
  /**
   * `arn:<partition>:ec2:<region>:<account>:instance/`: each runner config is tagged with the ARN of
   * the one instance whose role may read and delete it (IAM: `ssm:ResourceTag/ghr:instance-arn`
   * equals `ec2:SourceInstanceARN`), so no runner reads another's registration.
   */
  instanceArnPrefix: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{12}:instance\/$/,
      'expected arn:<partition>:ec2:<region>:<account>:instance/',
    ),
  extraTags: userTagMap.default({}),
  quarantineGroupName,
  /**
   * A job that finds its pool at `maxRunners` is acknowledged and sent again to the queue with a
   * delay (SQS DelaySeconds ≤ 900) that doubles per hold up to `maxDelaySeconds`, instead of a
   * batch item failure that spends one of the queue's `maxReceiveCount` receives. After
   * `maxAttempts` holds it is dropped: at the defaults that is past GitHub's 24 h limit on a
   * queued job ("Usage limits", self-hosted runners), when GitHub has cancelled it anyway.
   */
  heldJobs: z
    .strictObject({
      initialDelaySeconds: z.number().int().min(1).max(900).default(30),
      maxDelaySeconds: z.number().int().min(1).max(900).default(300),
      maxAttempts: z.number().int().min(1).max(100_000).default(300),
    })
    .default({ initialDelaySeconds: 30, maxDelaySeconds: 300, maxAttempts: 300 }),
  /**
   * After a launch for job A, re-check A after `delaySeconds` (at least the pool's worst-case
   * boot-to-online): GitHub may have given A's runner an older queued job, and then nothing else
   * would launch for A. Up to `maxRechecks` times per job (0: off); only with `checkJobQueued`,
   * for ephemeral pools. Cost: one GitHub GET per re-check.
   */
  jobRecheck: z
    .strictObject({
      delaySeconds: z.number().int().min(0).max(900).default(180),
      maxRechecks: z.number().int().min(0).max(10).default(2),
    })
    .default({ delaySeconds: 180, maxRechecks: 2 }),
});

/** The scale-down keys; `scaleDownConfigSchema` adds the checks across keys. */
export const scaleDownConfigObject = z.strictObject({
  ...commonSchema,
  /**
   * Wait between quarantine and re-check. Covers the world model's worst case: quarantine
   * propagation (≤ 60 s) + listener receive (≤ 2 s) + worker start (≤ 2 s) + agent notice (≤ 1 s)
   * + tag write (≤ 3 s) + tag read lag (≤ 2 s) = 70 s, rounded up. Shorter is refused: a re-check
   * before the quarantine has surely taken effect could retire a runner GitHub is assigning a job to.
   * The run writes its confirmation mark at quarantine + max(65 s, settle − 20 s) (verdict.ts); from
   * 85 s on, the agent's answer to it is there for the re-check of the same run, else of the next.
   */
  settleSeconds: z.number().int().min(70).max(600).default(90),
  quarantineGroupName,
  concurrency: z
    .strictObject({
      global: z.number().int().min(1).max(100).default(10),
      perOwner: z.number().int().min(1).max(50).default(4),
    })
    .default({ global: 10, perOwner: 4 }),
  lease: z.strictObject({
    parameterName: ssmParameterName,
    ttlSeconds: z.number().int().min(60).max(3600).default(900),
  }),
  runnerConfigPath: ssmParameterName,
  /**
   * Idle surplus a run starts retiring per owner. Each retirement writes twice to GitHub (the
   * quarantine, then the DELETE), and GitHub allows 900 points a minute per endpoint at 5 a write:
   * 180 of each a minute per installation (adapters/github/limiter.ts). 150 leaves room for the
   * run's other writes, so every runner a run marks gets its next step within the run instead of
   * waiting, marked, for later runs; the rest stays in service until the next run.
   */
  maxNewRetirementsPerOwner: z.number().int().min(1).max(180).default(150),
});

/**
 * Guarantee 4 of docs/safety.md: the lease outlasts the longest run at the pools' maxima (the
 * settle wait included), with the margin before expiry at which a run stops acting.
 */
export const scaleDownConfigSchema = scaleDownConfigObject.superRefine((config, ctx) => {
  const needed = minimumLeaseSeconds(config);
  if (config.lease.ttlSeconds < needed) {
    ctx.addIssue({
      code: 'custom',
      path: ['lease', 'ttlSeconds'],
      message: `${config.lease.ttlSeconds} s is shorter than the longest run at the pools' maxima (settle ${config.settleSeconds} s + calls) plus the ${LEASE_MARGIN_SECONDS} s margin: at least ${needed} s (or fewer maxRunners, or a higher concurrency.global)`,
    });
  }
});

export type GitHubConfig = z.output<typeof githubSchema>;
export type PoolConfig = z.output<typeof poolSchema>;
export type IdleRule = z.output<typeof idleRuleSchema>;
export type WarmRule = z.output<typeof warmRuleSchema>;
export type WebhookConfig = z.output<typeof webhookConfigSchema>;
export type ScaleUpConfig = z.output<typeof scaleUpConfigSchema>;
export type ScaleDownConfig = z.output<typeof scaleDownConfigSchema>;

const runnerArch = z.enum(['x64', 'arm64']);

/**
 * The runner-cache function (modules/runner-cache): which actions/runner tarballs the artifact
 * bucket must hold. `latest` lists the architectures of pools on `runner_version = "latest"`;
 * `pinned` the exact versions other pools use, with the module's checksums (checksums.tf).
 */
export const runnerCacheConfigSchema = z.strictObject({
  environment: commonSchema.environment,
  logLevel: commonSchema.logLevel,
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name'),
  latest: z.array(runnerArch).default([]),
  pinned: z
    .array(
      z.strictObject({
        version: z.string().regex(/^\d+\.\d+\.\d+$/, 'expected an actions/runner version such as 2.329.0'),
        arch: runnerArch,
        sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex SHA-256'),
      }),
    )
    .default([]),
  /** actions/runner lives on github.com for GHES users too; only tests point these elsewhere. */
  releasesApiUrl: httpsOrLoopbackUrl.default('https://api.github.com'),
  releasesDownloadUrl: httpsOrLoopbackUrl.default('https://github.com/actions/runner/releases/download'),
});

export type RunnerCacheFunctionConfig = z.output<typeof runnerCacheConfigSchema>;
