import { account } from '../accounting.js';
import { buildScaleDownConfig, type SimulationOptions, type SimulationResult, type StrategyEntry } from '../run.js';
import { scheduleFaults, scheduleWorkload } from '../scenarios/workload.js';
import { poolSpec } from '../world/pools.js';
import { World } from '../world/world.js';
import { HttpDoor, type HttpDoorStats, type QueueSettings } from './door.js';
import type { LogSink } from './logging.js';
import { Quiescence } from './quiescence.js';
import { startHttpStack } from './stack.js';

export interface HttpSimulationOptions extends SimulationOptions {
  /** Where the handlers' log lines go (default: dropped). */
  readonly log?: LogSink;
  /** Pool queue redrive (default: the Terraform module's 180 s visibility, DLQ after 3 receives). */
  readonly queue?: QueueSettings;
}

export interface HttpSimulationResult extends SimulationResult {
  readonly http: HttpDoorStats & {
    /** HTTP requests the adapters sent. */
    readonly requests: number;
    /** What the facades saw: GitHub requests by `METHOD /route`, AWS calls by action. */
    readonly github: Record<string, number>;
    readonly ec2: Record<string, number>;
    readonly ssm: Record<string, number>;
    readonly sqs: Record<string, number>;
  };
}

/**
 * One scenario through the HTTP door (see door.ts). The world, workload and accounting are the
 * in-process door's; what differs is who acts on it: the real handlers through the facades.
 *
 * Every pool registers its runners with JIT here, whatever the strategy's own mode: the real
 * scale-up issues JIT configs (`registration: 'jit'`); the token mode of the baselines exists only
 * in the modelled scale-up. Scenario crash faults act on the in-process scale-down schedule's
 * port gate and are not modelled in this door.
 */
export async function runHttpSimulation(options: HttpSimulationOptions): Promise<HttpSimulationResult> {
  const { scenario, seed } = options;
  const entry: StrategyEntry =
    'strategy' in options.strategy ? options.strategy : { strategy: options.strategy, reusableRegistration: 'jit' };
  const hours = options.hours ?? scenario.hours;
  const config = buildScaleDownConfig(scenario, entry.strategy.name);
  const pools = Object.keys(scenario.pools).map((name) => poolSpec(name, config.pools[name]!, 'jit'));
  const quiescence = new Quiescence();
  const world = new World({
    seed,
    params: scenario.world,
    environment: scenario.environment,
    pools,
    keepLog: options.keepLog ?? false,
    settle: options.settle ?? quiescence.settle,
  });
  const sink: LogSink = options.log ?? (() => {});
  if (scenario.faults.crashes.length > 0) sink('WARN', 'simulator', 'crash faults are not modelled in the HTTP door');
  const stack = await startHttpStack(world, quiescence);
  try {
    const door = new HttpDoor({
      world,
      stack,
      quiescence,
      config,
      strategy: entry.strategy,
      sink,
      ...(options.queue ? { queue: options.queue } : {}),
    });
    for (const pool of pools) {
      for (let i = 0; i < (scenario.pools[pool.name]?.prelaunch ?? 0); i++) world.scaleUp.launch(pool);
    }
    const endMs = world.startMs + hours * 3_600_000;
    scheduleWorkload(world, scenario, endMs);
    scheduleFaults(world, scenario);
    const everyMs = scenario.scaleDown.everyMinutes * 60_000;
    const firstAtMs = world.startMs + (scenario.scaleDown.firstAtMinute ?? scenario.scaleDown.everyMinutes) * 60_000;
    door.attach({ firstAtMs, everyMs }, endMs);
    options.onStart?.(world, endMs);
    for (let h = 1; h <= Math.ceil(hours); h++) {
      await world.engine.run(Math.min(endMs, world.startMs + h * 3_600_000));
      options.onProgress?.(Math.min(h, hours), hours);
    }
    await quiescence.settle();
    return {
      scenario: scenario.name,
      strategy: entry.strategy.name,
      seed,
      simulatedHours: hours,
      accounting: account(world, door.reports, scenario.scaleDown.everyMinutes),
      reports: door.reports,
      strategyLog: [],
      eventLogDigest: world.eventLog.digest(),
      eventCount: world.engine.eventCount,
      world,
      http: {
        ...door.stats,
        metrics: door.metricTotals(),
        requests: quiescence.requests,
        github: stack.github.calls(),
        ec2: stack.ec2.calls(),
        ssm: stack.ssm.calls(),
        sqs: stack.sqs.calls(),
      },
    };
  } finally {
    await stack.close();
  }
}
