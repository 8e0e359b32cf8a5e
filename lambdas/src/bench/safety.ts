import { resolveStrategy, runSimulation } from '../sim/run.js';
import { benignScenarioNames, loadScenario } from '../sim/scenarios/load.js';
import type { Scenario } from '../sim/scenarios/schema.js';
import { withRegistrations, type RegistrationVariant } from '../sim/scenarios/variants.js';

/** The strategies of the safety matrix (issue 4): ours and the three baselines. */
export const SAFETY_STRATEGIES = ['naive', 'deregister-recheck', 'confirm-window', 'quarantine'] as const;

/**
 * world-model.md, "Comparing strategies fairly": strategies are compared in the same registration
 * mode first — `token` (long-lived registrations everywhere: guard (b) of docs/safety.md absent,
 * the protocol alone) and `jit` (JIT everywhere: GitHub refuses to delete an assigned one) — and
 * then each in its `own` mode (baselines: long-lived on reusable pools; ours: JIT recycled per job).
 */
export type RegistrationComparison = Extract<RegistrationVariant, 'token' | 'jit' | 'own'>;
export const COMPARISONS: readonly RegistrationComparison[] = ['token', 'jit', 'own'];

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
  /** Jobs GitHub assigned to a runner while its quarantine propagated: the re-check had to see them. */
  readonly assignedWhileQuarantining: number;
  /** Jobs assigned after a quarantine should have held (guard (a) failed). */
  readonly guardAFailures: number;
  /** Jobs a refused DELETE kept alive (guard (b) prevented these kills). */
  readonly guardBSaves: number;
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

const round = (value: number) => Math.round(value * 1000) / 1000;

async function safetyRow(
  scenario: Scenario,
  strategy: string,
  mode: RegistrationComparison,
  options: SafetyOptions,
  step: () => void,
): Promise<SafetyRow> {
  const world = { ...withRegistrations(scenario, mode), name: scenario.name };
  const sums = {
    submitted: 0,
    completed: 0,
    killed: 0,
    leaked: 0,
    hours: 0,
    idle: 0,
    github: 0,
    during: 0,
    a: 0,
    b: 0,
  };
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
    sums.during += a.guards.assignedWhileQuarantining;
    sums.a += a.guards.guardAFailures;
    sums.b += a.guards.guardBSaves;
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
    assignedWhileQuarantining: sums.during,
    guardAFailures: sums.a,
    guardBSaves: sums.b,
  };
}

/** Every built-in scenario × strategy × mode, seeds 1..N, each for `hours` simulated hours. */
export async function runSafety(options: SafetyOptions): Promise<SafetyRow[]> {
  const scenarios = (options.scenarios ?? benignScenarioNames()).map((name) => loadScenario(name));
  const strategies = options.strategies ?? SAFETY_STRATEGIES;
  const modes = options.modes ?? COMPARISONS;
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
