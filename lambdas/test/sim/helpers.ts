import type { RepoRef, WorkflowJob } from '../../src/ports/github.js';
import { worldParamsSchema, type WorldParamsInput } from '../../src/sim/world/params.js';
import { poolSchema, type PoolConfig } from '../../src/config/schema.js';
import { poolSpec, type PoolSpec, type RegistrationMode } from '../../src/sim/world/pools.js';
import type { Job } from '../../src/sim/world/types.js';
import { World, type JobSpec } from '../../src/sim/world/world.js';

/** A world with no workload, for driving by hand. */
export function testWorld(params: WorldParamsInput = {}, pools: readonly PoolSpec[] = [], seed = 7): World {
  return new World({ seed, params: worldParamsSchema.parse(params), environment: 'test', pools, keepLog: true });
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
  registration: RegistrationMode = 'jit',
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
  return poolSpec(name, config, registration);
}

/** A world with one pool and `instances` launched at time 0 and booted (runners online). */
export async function bootedWorld(
  options: { params?: WorldParamsInput; pool?: PoolSpec; instances?: number } = {},
): Promise<{ world: World; pool: PoolSpec; instanceIds: string[] }> {
  const pool = options.pool ?? testPool('linux', { ephemeral: false });
  const world = testWorld(options.params ?? {}, [pool]);
  const instanceIds = Array.from({ length: options.instances ?? 1 }, () => world.scaleUp.launch(pool).id);
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
