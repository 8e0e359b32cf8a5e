import { launchRunners, WARM_POOL_EVENT } from '../core/scale-up/index.js';
import type { ScaleDownStrategy } from '../core/strategy.js';
import { noMetrics, silentLog } from '../observability/types.js';
import { SecretRegistry } from '../observability/redact.js';
import { recentIds } from '../core/webhook/index.js';
import {
  buildConfigs,
  FUNCTIONS,
  SIM_FLEET_PARAMETER_PATH,
  SIM_INSTANCE_ARN_PREFIX,
  SIM_PARAMETERS,
  SIM_RUNNER_CONFIG_PATH,
  type ControlPlaneConfigs,
} from './control-plane/configs.js';
import { entryOf, STRATEGIES, type StrategyEntry } from './control-plane/strategies.js';
import { httpDoor } from './doors/http.js';
import { inProcessDoor } from './doors/in-process.js';
import type { Door, OpenDoor } from './doors/types.js';
import { inProcessPorts } from './ports/index.js';
import { scheduleFaults, scheduleWorkload } from './scenarios/workload.js';
import type { Scenario } from './scenarios/schema.js';
import { poolSpec } from './world/pools.js';
import { World, type QueueSettings } from './world/world.js';

/** Which of our functions run inside (an external autoscaler may take the others: `--serve`). */
export interface OurFunctions {
  readonly webhook: boolean;
  readonly scaleUp: boolean;
  readonly scaleDown: boolean;
}

export const ALL_OURS: OurFunctions = { webhook: true, scaleUp: true, scaleDown: true };

export interface BuildOptions {
  readonly seed: number;
  readonly strategy?: StrategyEntry | ScaleDownStrategy;
  /** Default: the in-process door. A `Door` object is used once (it holds its run's state). */
  readonly door?: 'in-process' | 'http' | Door;
  /** When schedules and workload stop (virtual ms after the start); default: the scenario's hours. */
  readonly hours?: number;
  readonly keepLog?: boolean;
  readonly functions?: OurFunctions;
  readonly queue?: QueueSettings;
}

/** A world with the control plane deployed in it, ready to run. */
export interface SimWorld {
  readonly world: World;
  readonly scenario: Scenario;
  readonly entry: StrategyEntry;
  readonly configs: ControlPlaneConfigs;
  readonly door: OpenDoor;
  readonly doorName: Door['name'];
  readonly endMs: number;
  close(): Promise<void>;
}

function doorOf(door: BuildOptions['door']): Door {
  if (door === undefined || door === 'in-process') return inProcessDoor;
  return door === 'http' ? httpDoor() : door;
}

/** A secret of the deployment, drawn from the seed (runs stay deterministic). */
function drawSecret(world: World, stream: string, length: number): string {
  const rng = world.ctx.rng(stream);
  let out = '';
  while (out.length < length)
    out += Math.floor(rng.next() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, length);
}

/**
 * The one place a simulated world is assembled, for every caller (runs, faults, the bench,
 * `--serve`): the scenario's world, the deployment's parameters, our functions deployed into the
 * world's Lambda through the chosen door (webhook behind the App's endpoint, scale-up on the pool
 * queues, scale-down on the schedule), the prelaunched runners, the workload and the faults.
 */
export async function buildWorld(scenario: Scenario, options: BuildOptions): Promise<SimWorld> {
  const entry = entryOf(options.strategy ?? STRATEGIES['quarantine']!);
  const configs = buildConfigs(scenario, entry);
  const door = doorOf(options.door);
  const hours = options.hours ?? scenario.hours;
  const world = new World({
    seed: options.seed,
    params: scenario.world,
    environment: scenario.environment,
    pools: Object.keys(scenario.pools).map((name) => poolSpec(name, configs.scaleDown.pools[name]!)),
    runnerConfigPath: SIM_RUNNER_CONFIG_PATH,
    webhookSecretParameter: SIM_PARAMETERS.webhookSecret,
    runnerRole: {
      instanceArnPrefix: SIM_INSTANCE_ARN_PREFIX,
      fleetParameterPath: SIM_FLEET_PARAMETER_PATH,
      githubParameters: Object.values(SIM_PARAMETERS),
    },
    organizations: [scenario.org],
    keepLog: options.keepLog ?? false,
    // A baseline is the upstream module's system: its runners do not prepare registrations ahead.
    agentsAskAhead: entry.ours,
    ...(options.queue ? { queue: options.queue } : {}),
    ...(door.settle ? { settle: door.settle } : {}),
  });
  const endMs = world.startMs + hours * 3_600_000;
  for (const [name, value, type] of [
    [SIM_PARAMETERS.appId, '31337', 'String'],
    [SIM_PARAMETERS.webhookSecret, drawSecret(world, 'deployment.webhookSecret', 40), 'SecureString'],
    [
      SIM_PARAMETERS.privateKey,
      Buffer.from(
        `-----BEGIN RSA PRIVATE KEY-----\n${drawSecret(world, 'deployment.appKey', 64)}\n-----END RSA PRIVATE KEY-----\n`,
      ).toString('base64'),
      'SecureString',
    ],
  ] as const) {
    world.ssm.put({ name, value, type, overwrite: true });
  }
  const opened = await door.open(world, { configs, strategy: entry.strategy });
  const ours = options.functions ?? ALL_OURS;
  const f = scenario.functions;
  if (ours.webhook) {
    world.lambda.deploy({
      name: FUNCTIONS.webhook,
      code: opened.code.webhook,
      timeoutSeconds: f.webhookTimeoutSeconds,
      ...(f.webhookReservedConcurrency === undefined ? {} : { reservedConcurrency: f.webhookReservedConcurrency }),
    });
  }
  if (ours.scaleUp) {
    for (const [mode, config] of configs.scaleUp) {
      world.lambda.deploy({
        name: FUNCTIONS.scaleUp(mode),
        code: opened.code.scaleUp(config),
        timeoutSeconds: f.scaleUpTimeoutSeconds,
      });
    }
    for (const [pool, mode] of Object.entries(configs.registration)) {
      const c = configs.scaleDown.pools[pool]!;
      world.queues.map(c.queueUrl, FUNCTIONS.scaleUp(mode));
      if (c.recycleQueueUrl !== undefined) world.queues.map(c.recycleQueueUrl, FUNCTIONS.scaleUp(mode));
    }
    // The warm-pool schedule (modules/scale-up, warm_pools.tf): every minute, on the minute.
    for (const [mode, config] of configs.scaleUp) {
      if (!Object.values(config.pools).some((p) => p.warmPool.length > 0)) continue;
      world.schedules.every(
        FUNCTIONS.scaleUp(mode),
        { firstAtMs: world.startMs, everyMs: 60_000, endMs },
        undefined,
        WARM_POOL_EVENT,
      );
    }
    // The spot warning rule (modules/scale-up, spot.tf): one target, whichever scale-up is deployed first.
    const [firstMode] = configs.scaleUp.keys();
    if (firstMode !== undefined && Object.values(configs.scaleDown.pools).some((p) => p.capacityType === 'spot')) {
      world.ec2Events.onSpotWarning(FUNCTIONS.scaleUp(firstMode));
    }
  }
  prelaunch(world, scenario, configs);
  if (ours.scaleDown) {
    world.lambda.deploy({
      name: FUNCTIONS.scaleDown,
      code: opened.code.scaleDown,
      timeoutSeconds: f.scaleDownTimeoutSeconds,
      reservedConcurrency: 1,
      keepResults: true,
    });
    const everyMs = scenario.scaleDown.everyMinutes * 60_000;
    const firstAtMs = world.startMs + (scenario.scaleDown.firstAtMinute ?? scenario.scaleDown.everyMinutes) * 60_000;
    const overlap = scenario.faults.overlaps[0];
    world.schedules.every(
      FUNCTIONS.scaleDown,
      { firstAtMs, everyMs, endMs },
      overlap === undefined
        ? undefined
        : {
            offsetSeconds: overlap.offsetSeconds,
            ...(overlap.fromMinute === undefined ? {} : { fromMs: world.startMs + overlap.fromMinute * 60_000 }),
            ...(overlap.toMinute === undefined ? {} : { toMs: world.startMs + overlap.toMinute * 60_000 }),
          },
    );
  }
  scheduleWorkload(world, scenario, endMs);
  scheduleFaults(world, scenario);
  return {
    world,
    scenario,
    entry,
    configs,
    door: opened,
    doorName: door.name,
    endMs,
    close: () => opened.close(),
  };
}

/**
 * Runners that exist when the run starts (`prelaunch`; scripted timelines pin jobs to them by
 * launch index): launched by scale-up's own code (`launchRunners`, what a pool prepared ahead
 * uses) at time zero, through in-process ports, as if an earlier invocation had made them.
 */
function prelaunch(world: World, scenario: Scenario, configs: ControlPlaneConfigs): void {
  for (const [pool, spec] of Object.entries(scenario.pools)) {
    if (spec.prelaunch === 0) continue;
    const config = configs.scaleUp.get(configs.registration[pool]!)!;
    const deps = { ...inProcessPorts(world), secrets: new SecretRegistry(), processed: recentIds() };
    const ctx = { config, log: silentLog, metrics: noMetrics };
    world.engine.at(world.startMs, 'prelaunch', () => {
      world.engine.invoke(() => launchRunners(pool, config.pools[pool]!, spec.prelaunch, deps, ctx));
    });
  }
}
