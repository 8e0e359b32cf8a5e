import type { ScaleDownReport, ScaleDownStrategy } from '../core/strategy.js';
import { account, type Accounting } from './accounting.js';
import { bootAccounting, type BootAccounting } from './accounting-detail.js';
import { buildWorld, type BuildOptions, type SimWorld } from './build.js';
import { FUNCTIONS } from './control-plane/configs.js';
import type { StrategyEntry } from './control-plane/strategies.js';
import type { Door } from './doors/types.js';
import type { Scenario } from './scenarios/schema.js';
import type { World } from './world/world.js';

export { resolveStrategy, STRATEGIES, type StrategyEntry } from './control-plane/strategies.js';

export interface SimulationOptions {
  readonly scenario: Scenario;
  readonly strategy: StrategyEntry | ScaleDownStrategy;
  readonly hours?: number;
  readonly seed: number;
  /** `in-process` (default: deterministic, fast) or `http` (the real handlers through the facades). */
  readonly door?: 'in-process' | 'http' | Door;
  readonly keepLog?: boolean;
  readonly queue?: BuildOptions['queue'];
  /** Called after each simulated hour. */
  readonly onProgress?: (hoursDone: number, hoursTotal: number) => void;
  /** Called once the world is built and its workload scheduled, before time runs (the report's sampler). */
  readonly onStart?: (world: World, endMs: number) => void;
}

export interface SimulationResult {
  readonly scenario: string;
  readonly strategy: string;
  readonly door: Door['name'];
  readonly seed: number;
  readonly simulatedHours: number;
  readonly accounting: Accounting;
  /** CreateFleet to runner online, and where the runner came from (issue 15). */
  readonly boot: BootAccounting;
  readonly reports: readonly ScaleDownReport[];
  /** The scale-down function's log lines (every level). */
  readonly strategyLog: readonly string[];
  readonly eventLogDigest: string;
  readonly eventCount: number;
  readonly world: World;
  /** The door's own plumbing (HTTP requests, facade calls) for the report. */
  readonly doorFacts: Readonly<Record<string, unknown>>;
}

/** Runs a built world to its end, an hour at a time. */
export async function runToEnd(sim: SimWorld, onProgress?: SimulationOptions['onProgress']): Promise<void> {
  const { world, endMs } = sim;
  const hours = (endMs - world.startMs) / 3_600_000;
  for (let h = 1; h <= Math.ceil(hours); h++) {
    await world.engine.run(Math.min(endMs, world.startMs + h * 3_600_000));
    onProgress?.(Math.min(h, hours), hours);
  }
}

/** The scale-down reports of a run: every invocation that finished. */
export function scaleDownReports(sim: SimWorld): ScaleDownReport[] {
  return sim.world.lambda.results<ScaleDownReport>(FUNCTIONS.scaleDown);
}

/** Runs one scenario with one strategy for `hours` of virtual time; deterministic per seed in-process. */
export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const sim = await buildWorld(options.scenario, {
    seed: options.seed,
    strategy: options.strategy,
    ...(options.door === undefined ? {} : { door: options.door }),
    ...(options.hours === undefined ? {} : { hours: options.hours }),
    ...(options.keepLog === undefined ? {} : { keepLog: options.keepLog }),
    ...(options.queue === undefined ? {} : { queue: options.queue }),
  });
  try {
    options.onStart?.(sim.world, sim.endMs);
    await runToEnd(sim, options.onProgress);
    const reports = scaleDownReports(sim);
    return {
      scenario: options.scenario.name,
      strategy: sim.entry.strategy.name,
      door: sim.doorName,
      seed: options.seed,
      simulatedHours: (sim.endMs - sim.world.startMs) / 3_600_000,
      accounting: account(sim),
      boot: bootAccounting(sim.world),
      reports,
      strategyLog: sim.world.lambda.record(FUNCTIONS.scaleDown)?.lines ?? [],
      eventLogDigest: sim.world.eventLog.digest(),
      eventCount: sim.world.engine.eventCount,
      world: sim.world,
      doorFacts: sim.door.facts(),
    };
  } finally {
    await sim.close();
  }
}
