import type { RepoRef, WorkflowJob } from '../../src/ports/github.js';
import { worldParamsSchema, type WorldParamsInput } from '../../src/sim/world/params.js';
import { poolSchema, scaleUpConfigSchema, type PoolConfig } from '../../src/config/schema.js';
import { launchRunners } from '../../src/core/scale-up/index.js';
import { recentIds } from '../../src/core/webhook/index.js';
import { SecretRegistry } from '../../src/observability/redact.js';
import { noMetrics, silentLog } from '../../src/observability/types.js';
import {
  SIM_INSTANCE_ARN_PREFIX,
  SIM_PARAMETERS,
  SIM_RUNNER_CONFIG_PATH,
} from '../../src/sim/control-plane/configs.js';
import { inProcessPorts } from '../../src/sim/ports/index.js';
import { poolSpec, type PoolSpec, type RegistrationMode } from '../../src/sim/world/pools.js';
import type { Job } from '../../src/sim/world/types.js';
import { World, type JobSpec } from '../../src/sim/world/world.js';

/** A world with no workload and no control plane, for driving by hand. */
export function testWorld(params: WorldParamsInput = {}, pools: readonly PoolSpec[] = [], seed = 7): World {
  return new World({
    seed,
    params: worldParamsSchema.parse(params),
    environment: 'test',
    pools,
    runnerConfigPath: SIM_RUNNER_CONFIG_PATH,
    webhookSecretParameter: SIM_PARAMETERS.webhookSecret,
    keepLog: true,
  });
}

/**
 * Launches `count` runners of `pool` with scale-up's own code (`launchRunners`: CreateFleet and a
 * runner config per instance), as a scale-up invocation would, through in-process ports. Returns
 * the instance ids once the launch is done (the instances then boot on the world's clock).
 */
export async function launch(
  world: World,
  pool: PoolSpec,
  count = 1,
  registration: RegistrationMode = 'jit',
): Promise<string[]> {
  const config = scaleUpConfigSchema.parse({
    environment: world.options.environment,
    github: { appIdParameter: SIM_PARAMETERS.appId, privateKeyParameter: SIM_PARAMETERS.privateKey },
    pools: Object.fromEntries([...world.pools.values()].map((p) => [p.name, p.config])),
    registration,
    runnerConfigPath: SIM_RUNNER_CONFIG_PATH,
    instanceArnPrefix: SIM_INSTANCE_ARN_PREFIX,
  });
  const deps = { ...inProcessPorts(world), secrets: new SecretRegistry(), processed: recentIds() };
  let runners: { instanceId: string }[] | undefined;
  const run = world.engine.invoke(() =>
    launchRunners(pool.name, pool.config, count, deps, { config, log: silentLog, metrics: noMetrics }),
  );
  void run.promise.then((launched) => (runners = launched));
  // The launch's calls may take virtual time (a scenario's call latency): run the world until it is done.
  for (let second = 0; runners === undefined && second < 600; second++) await world.engine.run(world.now + 1000);
  if (runners === undefined) throw new Error('the launch did not finish within 10 virtual minutes');
  return runners.map((r) => r.instanceId);
}

export async function advance(world: World, ms: number): Promise<void> {
  await world.engine.run(world.now + ms);
}

/** The contract suite's "GitHub's own doing": pin the REST busy view, consume a JIT registration, add a job record. */
export function setBusy(world: World, runnerId: number, busy: boolean): void {
  const registration = world.github.registrations.get(runnerId);
  if (!registration) throw new Error(`no runner ${runnerId}`);
  registration.forcedBusy = busy;
}

export function consumeRegistration(world: World, runnerId: number): void {
  const registration = world.github.registrations.get(runnerId);
  if (!registration) throw new Error(`no runner ${runnerId}`);
  registration.consumed = true;
}

export function addJob(world: World, repo: RepoRef, job: WorkflowJob): void {
  world.github.jobs.set(job.id, {
    id: job.id,
    runId: job.runId,
    repo,
    repoId: world.github.repoId(repo),
    repoOwnerId: world.github.accountId(repo.owner),
    repoOwnerType: 'Organization',
    labels: [...job.labels],
    pool: undefined,
    arrivalMs: world.now,
    durationMs: 60_000,
    status: job.status === 'queued' ? 'queued' : job.status === 'completed' ? 'completed' : 'running',
    ...(job.runnerId === null ? {} : { runnerId: job.runnerId }),
    ...(job.runnerName === null ? {} : { runnerName: job.runnerName }),
  });
}

export function testPool(
  name: string,
  overrides: Partial<Omit<PoolConfig, 'owner'>> & { owner?: string } = {},
): PoolSpec {
  const config = poolSchema.parse({
    owner: 'acme',
    ownerType: 'org',
    labels: [`${name}-pool`],
    queueUrl: `https://sqs.eu-west-1.amazonaws.com/123456789012/sim-${name}`,
    queueArn: `arn:aws:sqs:eu-west-1:123456789012:sim-${name}`,
    deadLetterQueueUrl: `https://sqs.eu-west-1.amazonaws.com/123456789012/sim-${name}-dlq`,
    maxRunners: 10,
    launchTemplateName: `sim-${name}`,
    instanceTypes: ['m5.large'],
    subnetIds: ['subnet-0a'],
    ...overrides,
  });
  return poolSpec(name, config);
}

/** A world with one pool and `instances` launched at time 0 and booted (runners online). */
export async function bootedWorld(
  options: { params?: WorldParamsInput; pool?: PoolSpec; instances?: number; registration?: RegistrationMode } = {},
): Promise<{ world: World; pool: PoolSpec; instanceIds: string[] }> {
  const pool = options.pool ?? testPool('linux', { ephemeral: false });
  const world = testWorld(options.params ?? {}, [pool]);
  // The launch itself must succeed: GitHub call faults apply from the booted state on.
  const github = world.ctx.params.github;
  const faults = { errorRate: github.errorRate, timeoutRate: github.timeoutRate };
  Object.assign(github, { errorRate: 0, timeoutRate: 0 });
  const instanceIds = await launch(world, pool, options.instances ?? 1, options.registration ?? 'jit');
  Object.assign(github, faults);
  await advance(world, 120_000);
  return { world, pool, instanceIds };
}

export function submit(world: World, pool: PoolSpec, durationMs: number, extra: Partial<JobSpec> = {}): Job {
  return world.submitJob({
    repo: { owner: 'acme', repo: 'app' },
    labels: pool.config.labels,
    pool: pool.name,
    durationMs,
    ...extra,
  });
}
