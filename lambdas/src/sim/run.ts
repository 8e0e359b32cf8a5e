import { scaleDownConfigSchema, type PoolConfig, type ScaleDownConfig } from '../config/schema.js';
import { strategies } from '../core/strategies/index.js';
import type { ScaleDownReport, ScaleDownStrategy } from '../core/strategy.js';
import { account, type Accounting } from './accounting.js';
import type { Settle } from './engine/engine.js';
import { scheduleFaults, scheduleWorkload } from './scenarios/workload.js';
import type { Scenario } from './scenarios/schema.js';
import { ScaleDownSchedule } from './engine/scale-down-schedule.js';
import type { RegistrationMode } from './world/pools.js';
import { poolSpec } from './world/pools.js';
import { World } from './world/world.js';

/** A strategy as the simulator runs it: the protocol plus the registration mode it runs with (world-model.md). */
export interface StrategyEntry {
  readonly strategy: ScaleDownStrategy;
  /** Own mode for a reusable pool; ephemeral pools always use JIT. */
  readonly reusableRegistration: RegistrationMode;
}

/**
 * Every registered strategy with the registration mode it runs with in its own mode
 * (world-model.md, "Comparing strategies fairly"): the baselines keep a long-lived
 * registration on reusable pools as the upstream module does; ours recycles JIT registrations.
 */
const OWN_MODE: Readonly<Record<string, RegistrationMode>> = {
  quarantine: 'jit',
  sequential: 'jit',
};

export const STRATEGIES: Readonly<Record<string, StrategyEntry>> = Object.fromEntries(
  Object.entries(strategies).map(([name, strategy]) => [
    name,
    { strategy, reusableRegistration: OWN_MODE[name] ?? 'token' },
  ]),
);

export function resolveStrategy(name: string): StrategyEntry {
  const entry = Object.hasOwn(STRATEGIES, name) ? STRATEGIES[name] : undefined;
  if (!entry) throw new Error(`unknown strategy "${name}" (known: ${Object.keys(STRATEGIES).join(', ')})`);
  return entry;
}

export interface SimulationOptions {
  readonly scenario: Scenario;
  readonly strategy: StrategyEntry | ScaleDownStrategy;
  readonly hours?: number;
  readonly seed: number;
  readonly keepLog?: boolean;
  readonly settle?: Settle;
  /** Called after each simulated hour. */
  readonly onProgress?: (hoursDone: number, hoursTotal: number) => void;
  /** Called once the world is built and its workload scheduled, before time runs (the report's sampler). */
  readonly onStart?: (world: World, endMs: number) => void;
}

export interface SimulationResult {
  readonly scenario: string;
  readonly strategy: string;
  readonly seed: number;
  readonly simulatedHours: number;
  readonly accounting: Accounting;
  readonly reports: readonly ScaleDownReport[];
  readonly strategyLog: readonly string[];
  readonly eventLogDigest: string;
  readonly eventCount: number;
  readonly world: World;
}

function entryOf(strategy: StrategyEntry | ScaleDownStrategy): StrategyEntry {
  return 'strategy' in strategy ? strategy : { strategy, reusableRegistration: 'jit' };
}

export function buildScaleDownConfig(scenario: Scenario, strategyName: string): ScaleDownConfig {
  const pools: Record<string, PoolConfig> = {};
  for (const [name, pool] of Object.entries(scenario.pools)) pools[name] = poolConfigOf(scenario, name, pool);
  const known = scaleDownConfigSchema.shape.strategy.unwrap().options as readonly string[];
  return scaleDownConfigSchema.parse({
    lease: { parameterName: '/sim/scale-down/lease' },
    runnerConfigPath: '/sim/runners',
    ...scenario.scaleDown.config,
    environment: scenario.environment,
    github: { appIdParameter: '/sim/github/app-id', privateKeyParameter: '/sim/github/private-key' },
    pools,
    ...(known.includes(strategyName) ? { strategy: strategyName } : {}),
  });
}

function poolConfigOf(scenario: Scenario, name: string, pool: Scenario['pools'][string]): PoolConfig {
  const { registration: _registration, prelaunch: _prelaunch, ...config } = pool;
  return {
    ...config,
    owner: config.owner ?? scenario.org,
    ownerType: config.ownerType ?? 'org',
    labels: config.labels ?? [`${name}-pool`],
    queueUrl: config.queueUrl ?? `https://sqs.eu-west-1.amazonaws.com/123456789012/sim-${name}`,
    queueArn: config.queueArn ?? `arn:aws:sqs:eu-west-1:123456789012:sim-${name}`,
    deadLetterQueueUrl: config.deadLetterQueueUrl ?? `https://sqs.eu-west-1.amazonaws.com/123456789012/sim-${name}-dlq`,
    maxRunners: config.maxRunners ?? 50,
    launchTemplateName: config.launchTemplateName ?? `sim-${name}`,
    instanceTypes: config.instanceTypes ?? ['m5.large'],
    subnetIds: config.subnetIds ?? ['subnet-0a'],
  };
}

/** Runs one scenario with one strategy for `hours` of virtual time; deterministic per seed. */
export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const { scenario, seed } = options;
  const entry = entryOf(options.strategy);
  const hours = options.hours ?? scenario.hours;
  const config = buildScaleDownConfig(scenario, entry.strategy.name);
  const pools = Object.entries(scenario.pools).map(([name, pool]) => {
    const mode: RegistrationMode =
      pool.registration !== 'strategy'
        ? pool.registration
        : config.pools[name]!.ephemeral
          ? 'jit'
          : entry.reusableRegistration;
    return poolSpec(name, config.pools[name]!, mode);
  });
  const world = new World({
    seed,
    params: scenario.world,
    environment: scenario.environment,
    pools,
    keepLog: options.keepLog ?? false,
    ...(options.settle ? { settle: options.settle } : {}),
  });
  for (const pool of pools) {
    for (let i = 0; i < (scenario.pools[pool.name]?.prelaunch ?? 0); i++) world.scaleUp.launch(pool);
  }
  const endMs = world.startMs + hours * 3_600_000;
  scheduleWorkload(world, scenario, endMs);
  scheduleFaults(world, scenario);
  const schedule = new ScaleDownSchedule(world, scenario, entry.strategy, config);
  schedule.start(endMs);
  options.onStart?.(world, endMs);
  for (let h = 1; h <= Math.ceil(hours); h++) {
    await world.engine.run(Math.min(endMs, world.startMs + h * 3_600_000));
    options.onProgress?.(Math.min(h, hours), hours);
  }
  return {
    scenario: scenario.name,
    strategy: entry.strategy.name,
    seed,
    simulatedHours: hours,
    accounting: account(world, schedule.reports, scenario.scaleDown.everyMinutes),
    reports: schedule.reports,
    strategyLog: schedule.lines,
    eventLogDigest: world.eventLog.digest(),
    eventCount: world.engine.eventCount,
    world,
  };
}
