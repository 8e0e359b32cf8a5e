import { randomBytes } from 'node:crypto';
import type { ScaleDownConfig } from '../../config/schema.js';
import type { ScaleDownReport, ScaleDownStrategy } from '../../core/strategy.js';
import { account, type Accounting } from '../accounting.js';
import type { Settle } from '../engine/engine.js';
import { inProcessPorts } from '../ports/index.js';
import { buildScaleDownConfig, resolveStrategy } from '../run.js';
import { scheduleFaults, scheduleWorkload } from '../scenarios/workload.js';
import type { Scenario } from '../scenarios/schema.js';
import { poolSpec, type RegistrationMode } from '../world/pools.js';
import { World } from '../world/world.js';
import {
  FaultSchedule,
  type CrashSpec,
  type InvocationWrapper,
  type OverlapSpec,
  type PortsFactory,
  type ScaleDownRunner,
} from './schedule.js';
import { instancesLeakedPast } from './leaks.js';
import { RunnerConfigModel, SecretScanner, secretsLeft } from './secrets.js';

/**
 * How the control plane of a fault run reaches the world. `in-process`: the simulator's ports,
 * with fault injection and crash gates, and the world's modelled scale-up. The HTTP door
 * (`http-door.ts`: the real webhook, scale-up and scale-down handlers with production adapters
 * through the facades) plugs in here: `open` builds its stack over the world and returns a ports
 * factory (which must honour the crash gate: `gatePorts(ports, gate)` does, with the step names
 * of the in-process door), a `settle` for the engine, and `close`.
 */
export interface FaultDoor {
  readonly name: string;
  readonly settle?: Settle;
  /** Every pool registers this way whatever the strategy's mode (the real scale-up issues JIT configs). */
  readonly registration?: RegistrationMode;
  open(
    world: World,
    run?: { readonly config: ScaleDownConfig; readonly strategy: ScaleDownStrategy },
  ): Promise<OpenDoor>;
}

export interface OpenDoor {
  readonly portsFor: PortsFactory;
  close(): Promise<void>;
  /** Secret values the door created outside the world's SSM so far (read after open and at the end). */
  secrets?(): readonly string[];
  /** Wraps each scale-down invocation (the HTTP door: `quiescence.run`). */
  readonly invoke?: InvocationWrapper;
  /** Runs each scale-down invocation (the HTTP door: the real handler); default: the strategy itself. */
  readonly runScaleDown?: ScaleDownRunner;
  /** The door writes real runner configs (its scale-up does): no stand-ins are planted. */
  readonly writesRunnerConfigs?: boolean;
  /** Called once the workload is scheduled (the HTTP door hooks webhooks and queues until `endMs`). */
  start?(endMs: number): void;
  /** Log lines the door's handlers wrote (scanned for secrets with the rest). */
  lines?(): readonly string[];
  /** Trouble the door's own handlers met (answers, retries, failed invocations), for the degradation report. */
  facts?(): ReadonlyMap<string, number>;
}

export const inProcessDoor: FaultDoor = {
  name: 'in-process',
  open: (world) => Promise.resolve({ portsFor: (gate) => inProcessPorts(world, gate), close: () => Promise.resolve() }),
};

/** Secrets planted in SSM where the handlers' config points (the in-process door itself never reads them). */
const APP_KEY_PARAMETER = '/sim/github/private-key';
const WEBHOOK_SECRET_PARAMETER = '/sim/github/webhook-secret';

export interface FaultRunOptions {
  readonly scenario: Scenario;
  readonly strategy: string;
  readonly seed: number;
  readonly hours?: number;
  readonly crashes?: readonly CrashSpec[];
  readonly overlap?: OverlapSpec;
  readonly door?: FaultDoor;
  /** How much the fault class may stretch the leak bound (see `instancesLeakedPast`). */
  readonly leakSlackMinutes?: number;
}

export interface FaultRunResult {
  readonly accounting: Accounting;
  /** Leaked past the bound stretched by the class's stated slack (= `accounting.instancesLeaked` without slack). */
  readonly instancesLeaked: number;
  readonly secretsLeft: number;
  readonly reports: readonly ScaleDownReport[];
  /** The scale-down log (every level, every slot). */
  readonly lines: readonly string[];
  /** Log lines of the door's own handlers (none for the in-process door). */
  readonly doorLines: readonly string[];
  /** What the door's own handlers met (see `OpenDoor.facts`). */
  readonly doorFacts: ReadonlyMap<string, number>;
  /** The world's event log (scale-up, webhooks, agents, crashes). */
  readonly eventLines: readonly string[];
  readonly metrics: ReadonlyMap<string, number>;
  readonly crashesFired: readonly string[];
  readonly failedRuns: number;
  /** What the world did to the fleet (injected call faults, lost webhooks, spot reclaims, dead agents). */
  readonly worldFaults: ReadonlyMap<string, number>;
  /** Every secret value the run created, for the log scan. */
  readonly scanner: SecretScanner;
}

/** One scenario with one strategy under the fault options; deterministic per seed with the in-process door. */
export async function runFaultSimulation(options: FaultRunOptions): Promise<FaultRunResult> {
  const { scenario, seed } = options;
  const entry = resolveStrategy(options.strategy);
  const door = options.door ?? inProcessDoor;
  const hours = options.hours ?? scenario.hours;
  const config = buildScaleDownConfig(scenario, entry.strategy.name);
  const pools = Object.entries(scenario.pools).map(([name, pool]) => {
    const mode: RegistrationMode =
      door.registration ??
      (pool.registration !== 'strategy'
        ? pool.registration
        : config.pools[name]!.ephemeral
          ? 'jit'
          : entry.reusableRegistration);
    return poolSpec(name, config.pools[name]!, mode);
  });
  const world = new World({
    seed,
    params: scenario.world,
    environment: scenario.environment,
    pools,
    keepLog: true,
    ...(door.settle ? { settle: door.settle } : {}),
  });
  const scanner = new SecretScanner();
  for (const [name, value] of [
    [
      APP_KEY_PARAMETER,
      `-----BEGIN RSA PRIVATE KEY-----\n${randomBytes(48).toString('base64')}\n-----END RSA PRIVATE KEY-----`,
    ],
    [WEBHOOK_SECRET_PARAMETER, randomBytes(24).toString('hex')],
  ] as const) {
    world.ssm.put({ name, value, type: 'SecureString', overwrite: true });
  }
  const opened = await door.open(world, { config, strategy: entry.strategy });
  try {
    for (const parameter of world.ssm.parameters.values()) scanner.register(parameter.value);
    for (const secret of opened.secrets?.() ?? []) scanner.register(secret);
    for (const pool of pools) {
      for (let i = 0; i < (scenario.pools[pool.name]?.prelaunch ?? 0); i++) world.scaleUp.launch(pool);
    }
    const endMs = world.startMs + hours * 3_600_000;
    const configs = new RunnerConfigModel(world, config.runnerConfigPath.replace(/\/+$/, ''));
    if (!opened.writesRunnerConfigs) configs.start(endMs);
    scheduleWorkload(world, scenario, endMs);
    scheduleFaults(world, scenario);
    const schedule = new FaultSchedule(
      world,
      entry.strategy,
      config,
      opened.portsFor,
      options.crashes ?? [],
      options.overlap,
      opened.invoke,
      opened.runScaleDown,
    );
    const every = scenario.scaleDown.everyMinutes * 60_000;
    schedule.start(
      world.startMs + (scenario.scaleDown.firstAtMinute ?? scenario.scaleDown.everyMinutes) * 60_000,
      every,
      endMs,
    );
    opened.start?.(endMs);
    for (let h = 1; h <= Math.ceil(hours); h++) await world.engine.run(Math.min(endMs, world.startMs + h * 3_600_000));
    for (const value of configs.values) scanner.register(value);
    for (const secret of opened.secrets?.() ?? []) scanner.register(secret);
    return {
      accounting: account(world, schedule.reports, scenario.scaleDown.everyMinutes),
      instancesLeaked: instancesLeakedPast(
        world,
        scenario.scaleDown.everyMinutes,
        (options.leakSlackMinutes ?? 0) * 60_000,
      ),
      secretsLeft: secretsLeft(world, config.runnerConfigPath, 2 * every),
      reports: schedule.reports,
      lines: schedule.lines,
      eventLines: world.eventLog.all(),
      doorLines: opened.lines?.() ?? [],
      doorFacts: opened.facts?.() ?? new Map<string, number>(),
      metrics: schedule.metrics.totals,
      crashesFired: schedule.crashesFired,
      failedRuns: schedule.failedRuns,
      worldFaults: worldFaults(world),
      scanner,
    };
  } finally {
    await opened.close();
  }
}

function worldFaults(world: World): Map<string, number> {
  const facts = new Map<string, number>();
  const add = (key: string, n: number): void => {
    if (n > 0) facts.set(key, (facts.get(key) ?? 0) + n);
  };
  for (const [kind, n] of world.counters.injected) add(`github ${kind}`, n);
  add('rate-limit answers', world.counters.rateLimitHits);
  const deliveries = world.github.deliveries;
  add('webhooks lost', deliveries.filter((d) => d.lost).length);
  add('webhooks late > 5 min', deliveries.filter((d) => !d.lost && d.deliverMs - d.sentMs > 300_000).length);
  for (const instance of world.ec2.instances.values()) {
    if (instance.terminatedBy === 'spot') add('spot interruptions', 1);
    if (instance.bootFailed) add('failed boots', 1);
  }
  add('silent agents', world.eventLog.all().filter((line) => line.includes(' agent.dead ')).length);
  return facts;
}
