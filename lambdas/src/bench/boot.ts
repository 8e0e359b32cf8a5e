import { bootTimesMs, percentiles, queueWaitsMs } from '../sim/accounting-detail.js';
import { resolveStrategy, runSimulation } from '../sim/run.js';
import { loadScenario } from '../sim/scenarios/load.js';
import { withRunnerSource } from '../sim/scenarios/variants.js';
import { RUNNER_SOURCES, type RunnerSource } from '../sim/world/boot.js';
import { table } from './table.js';

/**
 * Issue 15: what the runner binary cache buys. An ephemeral pool whose bursts scale it from
 * (nearly) zero puts every boot on a job's critical path, so the burst scenario shows the source's
 * effect on queue wait most plainly; our strategy, in its own mode (JIT, an instance per job).
 */
export const BOOT_SCENARIO = 'burst';
export const BOOT_STRATEGY = 'quarantine';

export interface BootRow {
  readonly scenario: string;
  readonly strategy: string;
  readonly runnerSource: RunnerSource;
  readonly seeds: number;
  /** Summed over seeds, like the counts below. */
  readonly simulatedHours: number;
  readonly jobsSubmitted: number;
  /** Percentiles over every job of every seed (pooled, not averaged per seed). */
  readonly queueWaitP50Seconds: number;
  readonly queueWaitP95Seconds: number;
  /** CreateFleet to runner online, pooled over the instances of every seed. */
  readonly bootP50Seconds: number;
  readonly bootP95Seconds: number;
  readonly instanceHours: number;
  readonly idleInstanceHours: number;
}

export interface BootOptions {
  readonly seeds: number;
  readonly hours: number;
  readonly scenario?: string;
  readonly sources?: readonly RunnerSource[];
  /** After each simulation: runs done, runs in all. */
  readonly onProgress?: (done: number, total: number) => void;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

/** One row per runner source: the same scenario, strategy, seeds and hours; only the boot differs. */
export async function runBoot(options: BootOptions): Promise<BootRow[]> {
  const scenario = loadScenario(options.scenario ?? BOOT_SCENARIO);
  const sources = options.sources ?? RUNNER_SOURCES;
  const total = sources.length * options.seeds;
  let done = 0;
  const rows: BootRow[] = [];
  for (const runnerSource of sources) {
    const waits: number[] = [];
    const boots: number[] = [];
    let jobs = 0;
    let hours = 0;
    let idle = 0;
    for (let seed = 1; seed <= options.seeds; seed++) {
      const result = await runSimulation({
        scenario: withRunnerSource(scenario, runnerSource),
        strategy: resolveStrategy(BOOT_STRATEGY),
        seed,
        hours: options.hours,
      });
      waits.push(...queueWaitsMs(result.world));
      boots.push(...bootTimesMs(result.world));
      jobs += result.accounting.jobsSubmitted;
      hours += result.accounting.instanceHours;
      idle += result.accounting.idleInstanceHours;
      options.onProgress?.(++done, total);
    }
    const wait = percentiles(waits);
    const boot = percentiles(boots);
    rows.push({
      scenario: scenario.name,
      strategy: BOOT_STRATEGY,
      runnerSource,
      seeds: options.seeds,
      simulatedHours: round(options.seeds * options.hours),
      jobsSubmitted: jobs,
      queueWaitP50Seconds: wait.p50,
      queueWaitP95Seconds: wait.p95,
      bootP50Seconds: boot.p50,
      bootP95Seconds: boot.p95,
      instanceHours: round(hours),
      idleInstanceHours: round(idle),
    });
  }
  return rows;
}

export function bootTable(rows: readonly BootRow[]): string {
  const first = rows[0];
  const runs = first === undefined ? '' : `${first.scenario}, ${first.strategy}: `;
  return table(
    'Boot: queue wait by where the runner comes from (the binary cache, GitHub, a prebuilt AMI)',
    ['runner source', 'jobs', 'wait p50 s', 'wait p95 s', 'boot p50 s', 'boot p95 s', 'inst-h', 'idle inst-h'],
    rows.map((r) => [
      r.runnerSource,
      r.jobsSubmitted,
      r.queueWaitP50Seconds,
      r.queueWaitP95Seconds,
      r.bootP50Seconds,
      r.bootP95Seconds,
      r.instanceHours,
      r.idleInstanceHours,
    ]),
    [
      `${runs}the same seeds (${first?.seeds ?? 0} x ${first === undefined ? 0 : first.simulatedHours / first.seeds} simulated h) for every source; percentiles pooled over all seeds`,
      'boot: CreateFleet to runner online (sim/world/boot.ts: user data start + runner fetch + unpack + start); cache is the module default',
      "an ephemeral instance holds one of the pool's maxRunners for its boot and its job: in a burst a longer boot also slows the drain",
    ],
  );
}
