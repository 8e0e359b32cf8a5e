import {
  scaleDownConfigSchema,
  scaleUpConfigSchema,
  webhookConfigSchema,
  type PoolConfig,
  type ScaleDownConfig,
  type ScaleUpConfig,
  type WebhookConfig,
} from '../../config/schema.js';
import type { Scenario } from '../scenarios/schema.js';
import type { RegistrationMode } from '../world/pools.js';
import type { StrategyEntry } from './strategies.js';

/** Where the simulated deployment keeps its parameters (the Terraform module's layout, under /sim). */
export const SIM_PARAMETERS = {
  appId: '/sim/github/app-id',
  privateKey: '/sim/github/private-key',
  webhookSecret: '/sim/github/webhook-secret',
} as const;
export const SIM_RUNNER_CONFIG_PATH = '/sim/runners';
/** The Terraform module's `fleet_parameter_path` (every parameter of the deployment lies under it). */
export const SIM_FLEET_PARAMETER_PATH = '/sim';
export const SIM_LEASE_PARAMETER = '/sim/scale-down/lease';
export const SIM_ACCOUNT = '123456789012';
export const SIM_REGION = 'eu-west-1';
/** The scale-up config's `instanceArnPrefix` in the simulator's account and region. */
export const SIM_INSTANCE_ARN_PREFIX = `arn:aws:ec2:${SIM_REGION}:${SIM_ACCOUNT}:instance/`;

/** The deployed function names; a second scale-up runs token registrations when some pool needs them. */
export const FUNCTIONS = {
  webhook: 'webhook',
  scaleDown: 'scale-down',
  scaleUp: (mode: RegistrationMode) => (mode === 'jit' ? 'scale-up' : 'scale-up-token'),
} as const;

/** Every function's configuration, as Terraform would render it for this scenario. */
export interface ControlPlaneConfigs {
  readonly webhook: WebhookConfig;
  /** By registration mode: the scale-up function that serves pools of that mode. */
  readonly scaleUp: ReadonlyMap<RegistrationMode, ScaleUpConfig>;
  readonly scaleDown: ScaleDownConfig;
  /** Each pool's registration mode (one rule, here: `registrationMode`). */
  readonly registration: Readonly<Record<string, RegistrationMode>>;
}

export function poolConfigOf(scenario: Scenario, name: string): PoolConfig {
  const pool = scenario.pools[name];
  if (pool === undefined) throw new Error(`no pool ${name}`);
  const { registration: _registration, prelaunch: _prelaunch, ...config } = pool;
  const queueName = `sim-${name}`;
  return {
    ...config,
    owner: config.owner ?? scenario.org,
    ownerType: config.ownerType ?? 'org',
    labels: config.labels ?? [`${name}-pool`],
    queueUrl: config.queueUrl ?? `https://sqs.${SIM_REGION}.amazonaws.com/${SIM_ACCOUNT}/${queueName}`,
    queueArn: config.queueArn ?? `arn:aws:sqs:${SIM_REGION}:${SIM_ACCOUNT}:${queueName}`,
    deadLetterQueueUrl:
      config.deadLetterQueueUrl ?? `https://sqs.${SIM_REGION}.amazonaws.com/${SIM_ACCOUNT}/${queueName}-dlq`,
    recycleQueueUrl:
      config.recycleQueueUrl ?? `https://sqs.${SIM_REGION}.amazonaws.com/${SIM_ACCOUNT}/${queueName}-recycle`,
    recycleQueueArn: config.recycleQueueArn ?? `arn:aws:sqs:${SIM_REGION}:${SIM_ACCOUNT}:${queueName}-recycle`,
    maxRunners: config.maxRunners ?? 50,
    launchTemplateName: config.launchTemplateName ?? `sim-${name}`,
    instanceTypes: config.instanceTypes ?? ['m5.large'],
    subnetIds: config.subnetIds ?? ['subnet-0a'],
  };
}

/**
 * How a pool's runners register, the one rule of every door: what the scenario pins, else JIT for
 * an ephemeral pool, else the strategy's own mode (ours: JIT recycled per job; the baselines: a
 * long-lived registration, as the upstream module runs reusable pools).
 */
export function registrationMode(scenario: Scenario, pool: string, entry: StrategyEntry): RegistrationMode {
  const spec = scenario.pools[pool];
  if (spec === undefined) throw new Error(`no pool ${pool}`);
  if (spec.registration !== 'strategy') return spec.registration;
  return spec.ephemeral === false ? entry.reusableRegistration : 'jit';
}

export function buildConfigs(scenario: Scenario, entry: StrategyEntry): ControlPlaneConfigs {
  const pools: Record<string, PoolConfig> = {};
  const registration: Record<string, RegistrationMode> = {};
  for (const name of Object.keys(scenario.pools)) {
    pools[name] = poolConfigOf(scenario, name);
    registration[name] = registrationMode(scenario, name, entry);
  }
  const common = {
    environment: scenario.environment,
    github: { appIdParameter: SIM_PARAMETERS.appId, privateKeyParameter: SIM_PARAMETERS.privateKey },
    pools,
  };
  const scaleUp = new Map<RegistrationMode, ScaleUpConfig>();
  for (const mode of new Set(Object.values(registration))) {
    // Each scale-up tops up the warm pools of its own mode only: one launcher per pool.
    const own = Object.fromEntries(
      Object.entries(pools).map(([name, pool]) => [
        name,
        registration[name] === mode ? pool : { ...pool, warmPool: [] },
      ]),
    );
    scaleUp.set(
      mode,
      scaleUpConfigSchema.parse({
        ...common,
        pools: own,
        ...scenario.scaleUp,
        registration: mode,
        runnerConfigPath: SIM_RUNNER_CONFIG_PATH,
        instanceArnPrefix: SIM_INSTANCE_ARN_PREFIX,
      }),
    );
  }
  return {
    webhook: webhookConfigSchema.parse({ ...common, webhookSecretParameter: SIM_PARAMETERS.webhookSecret }),
    scaleUp,
    scaleDown: scaleDownConfigSchema.parse({
      lease: { parameterName: SIM_LEASE_PARAMETER },
      runnerConfigPath: SIM_RUNNER_CONFIG_PATH,
      ...scenario.scaleDown.config,
      ...common,
    }),
    registration,
  };
}
