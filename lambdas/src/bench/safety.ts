import { resolveStrategy, runSimulation } from '../sim/run.js';
import { builtinScenarioNames, loadScenario } from '../sim/scenarios/load.js';
import type { Scenario } from '../sim/scenarios/schema.js';

/** The strategies of the safety matrix (issue 4): ours and the three baselines. */
export const SAFETY_STRATEGIES = ['naive', 'deregister-recheck', 'confirm-window', 'quarantine'] as const;

/**
 * world-model.md, "Comparing strategies fairly": `own` runs each strategy with its own
 * registration mode (baselines: long-lived on reusable pools; ours: JIT); `long-lived` runs every
 * strategy with long-lived registrations on reusable pools, isolating the protocol itself.
 * Ephemeral pools use JIT in both.
 */
export type RegistrationComparison = 'own' | 'long-lived';

export interface SafetyRow {
  readonly scenario: string;
  readonly strategy: string;
  readonly mode: RegistrationComparison;
  readonly seeds: number;
  /** Summed over seeds, like every count below. */
  readonly simulatedHours: number;
  readonly jobsSubmitted: number;
  readonly jobsCompleted: number;
  readonly jobsKilled: number;
  readonly instancesLeaked: number;
  readonly instanceHours: number;
  readonly idleInstanceHours: number;
  readonly githubCalls: number;
}

export interface CostRow {
  readonly scenario: string;
  readonly mode: RegistrationComparison;
  readonly naiveInstanceHours: number;
  readonly quarantineInstanceHours: number;
  /** quarantine / naive; undefined when naive used none. */
  readonly instanceHoursRatio?: number;
  readonly naiveIdleInstanceHours: number;
  readonly quarantineIdleInstanceHours: number;
  readonly idleInstanceHoursRatio?: number;
}

export interface SafetyOptions {
  readonly seeds: number;
  readonly hours: number;
  readonly scenarios?: readonly string[];
  readonly strategies?: readonly string[];
  readonly modes?: readonly RegistrationComparison[];
  /** After each simulation: runs done, runs in all. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** The scenario with every reusable pool that follows the strategy pinned to long-lived registrations. */
export function withLongLivedRegistrations(scenario: Scenario): Scenario {
  const pools: Scenario['pools'] = {};
  for (const [name, pool] of Object.entries(scenario.pools)) {
    pools[name] = pool.registration === 'strategy' && !pool.ephemeral ? { ...pool, registration: 'token' } : pool;
  }
  return { ...scenario, pools };
}

const round = (value: number) => Math.round(value * 1000) / 1000;

async function safetyRow(
  scenario: Scenario,
  strategy: string,
  mode: RegistrationComparison,
  options: SafetyOptions,
  step: () => void,
): Promise<SafetyRow> {
  const world = mode === 'long-lived' ? withLongLivedRegistrations(scenario) : scenario;
  const sums = { submitted: 0, completed: 0, killed: 0, leaked: 0, hours: 0, idle: 0, github: 0 };
  for (let seed = 1; seed <= options.seeds; seed++) {
    const { accounting: a } = await runSimulation({
      scenario: world,
      strategy: resolveStrategy(strategy),
      seed,
      hours: options.hours,
    });
    sums.submitted += a.jobsSubmitted;
    sums.completed += a.jobsCompleted;
    sums.killed += a.jobsKilled;
    sums.leaked += a.instancesLeaked;
    sums.hours += a.instanceHours;
    sums.idle += a.idleInstanceHours;
    sums.github += a.githubCalls;
    step();
  }
  return {
    scenario: scenario.name,
    strategy,
    mode,
    seeds: options.seeds,
    simulatedHours: round(options.seeds * options.hours),
    jobsSubmitted: sums.submitted,
    jobsCompleted: sums.completed,
    jobsKilled: sums.killed,
    instancesLeaked: sums.leaked,
    instanceHours: round(sums.hours),
    idleInstanceHours: round(sums.idle),
    githubCalls: sums.github,
  };
}

/** Every built-in scenario × strategy × mode, seeds 1..N, each for `hours` simulated hours. */
export async function runSafety(options: SafetyOptions): Promise<SafetyRow[]> {
  const scenarios = (options.scenarios ?? builtinScenarioNames()).map((name) => loadScenario(name));
  const strategies = options.strategies ?? SAFETY_STRATEGIES;
  const modes = options.modes ?? (['own', 'long-lived'] as const);
  const total = scenarios.length * strategies.length * modes.length * options.seeds;
  let done = 0;
  const step = () => options.onProgress?.(++done, total);
  const rows: SafetyRow[] = [];
  for (const mode of modes) {
    for (const scenario of scenarios) {
      for (const strategy of strategies) rows.push(await safetyRow(scenario, strategy, mode, options, step));
    }
  }
  return rows;
}

const ratio = (ours: number, theirs: number) => (theirs > 0 ? round(ours / theirs) : undefined);

/** The price of safety: quarantine's instance-hours against naive's, per scenario and mode. */
export function costOfSafety(rows: readonly SafetyRow[]): CostRow[] {
  const out: CostRow[] = [];
  for (const naive of rows.filter((r) => r.strategy === 'naive')) {
    const ours = rows.find(
      (r) => r.strategy === 'quarantine' && r.scenario === naive.scenario && r.mode === naive.mode,
    );
    if (ours === undefined) continue;
    const hours = ratio(ours.instanceHours, naive.instanceHours);
    const idle = ratio(ours.idleInstanceHours, naive.idleInstanceHours);
    out.push({
      scenario: naive.scenario,
      mode: naive.mode,
      naiveInstanceHours: naive.instanceHours,
      quarantineInstanceHours: ours.instanceHours,
      ...(hours === undefined ? {} : { instanceHoursRatio: hours }),
      naiveIdleInstanceHours: naive.idleInstanceHours,
      quarantineIdleInstanceHours: ours.idleInstanceHours,
      ...(idle === undefined ? {} : { idleInstanceHoursRatio: idle }),
    });
  }
  return out;
}
