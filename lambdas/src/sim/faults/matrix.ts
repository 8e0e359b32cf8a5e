import { faultClass, faultScenarioNames } from './catalog.js';
import { runFaultSimulation, type FaultRunResult } from './run.js';

/** One row of the fault matrix (issue 8): sums over the seeds run. */
export interface FaultMatrixRow {
  readonly fault: string;
  readonly strategy: string;
  readonly door: string;
  readonly seeds: number;
  readonly jobsKilled: number;
  /** Past the bound, stretched by the class's stated slack (only `github-rate-limits` has one: 60 min). */
  readonly instancesLeaked: number;
  /** Past the unstretched bound of `accounting.ts` (what a snapshot inside a rate-limit outage shows). */
  readonly instancesLeakedStrict: number;
  readonly secretsLeft: number;
  readonly githubCalls: number;
  readonly jobsLostToSpot: number;
  /** What the control plane reported (metrics, warnings, failed or crashed runs), then what the world did (`world:`). */
  readonly degradation: string[];
}

export interface FaultMatrixOptions {
  readonly seeds: readonly number[];
  readonly hours?: number;
  /** `in-process` (default) or `http` (the real handlers through the facades). */
  readonly door?: 'in-process' | 'http';
  readonly strategy?: string;
  /** Only these classes (default: all eight). */
  readonly faults?: readonly string[];
}

/** Metrics that mean the run saw trouble or took a fallback path (core/scale-down run-state, index, housekeeping). */
const DEGRADATION_METRICS = [
  'rateLimited',
  'errors',
  'leaseHeld',
  'sweepFailed',
  'backstops',
  'orphansTerminated',
  'taken',
  'remarked',
  'runnerConfigsSwept',
];

function messageOf(line: string, skip = 3): string {
  // `<t> <request> <LEVEL> <message> {json}` (door lines start with the function name)
  const rest = line.split(' ').slice(skip).join(' ');
  const brace = rest.indexOf(' {');
  return brace < 0 ? rest : rest.slice(0, brace);
}

/** The degradation one or more runs reported, as sorted `what: count` strings. */
export function degradationOf(results: readonly FaultRunResult[]): string[] {
  const counts = new Map<string, number>();
  const add = (key: string, n = 1): void => {
    if (n > 0) counts.set(key, (counts.get(key) ?? 0) + n);
  };
  for (const r of results) {
    for (const name of DEGRADATION_METRICS) add(`metric ${name}`, r.metrics.get(name) ?? 0);
    for (const line of r.lines) {
      const level = line.split(' ')[2];
      if (level === 'WARN' || level === 'ERROR') add(`${level.toLowerCase()} ${messageOf(line)}`);
      else if (messageOf(line).startsWith('lease held')) add(`info ${messageOf(line)}`);
    }
    for (const label of r.crashesFired) add(`crashed after ${label}`);
    for (const report of r.reports) if (report.leaseHeld) add('report leaseHeld');
    for (const line of r.doorLines) {
      const level = line.split(' ')[3];
      if (level === 'WARN' || level === 'ERROR') add(`door ${level.toLowerCase()} ${messageOf(line, 4)}`);
    }
    for (const [fact, n] of r.doorFacts) add(`door: ${fact}`, n);
    for (const [fact, n] of r.worldFaults) add(`world: ${fact}`, n);
  }
  return [...counts].map(([key, n]) => `${key}: ${n}`).sort();
}

export function rowOf(
  fault: string,
  strategy: string,
  door: string,
  results: readonly FaultRunResult[],
): FaultMatrixRow {
  const sum = (pick: (r: FaultRunResult) => number): number => results.reduce((n, r) => n + pick(r), 0);
  return {
    fault,
    strategy,
    door,
    seeds: results.length,
    jobsKilled: sum((r) => r.accounting.jobsKilled),
    instancesLeaked: sum((r) => r.instancesLeaked),
    instancesLeakedStrict: sum((r) => r.accounting.instancesLeaked),
    secretsLeft: sum((r) => r.secretsLeft),
    githubCalls: sum((r) => r.accounting.githubCalls),
    jobsLostToSpot: sum((r) => r.accounting.jobsLostToSpot),
    degradation: degradationOf(results),
  };
}

/** Runs one fault class over the seeds. */
export async function runFaultClass(
  fault: string,
  options: { seeds: readonly number[]; hours?: number; door?: 'in-process' | 'http'; strategy?: string },
): Promise<FaultRunResult[]> {
  const spec = faultClass(fault);
  const results: FaultRunResult[] = [];
  for (const seed of options.seeds) {
    results.push(
      await runFaultSimulation({
        scenario: spec.scenario,
        strategy: options.strategy ?? 'quarantine',
        seed,
        ...(options.hours === undefined ? {} : { hours: options.hours }),
        ...(spec.leakSlackMinutes ? { leakSlackMinutes: spec.leakSlackMinutes } : {}),
        ...(options.door ? { door: options.door } : {}),
      }),
    );
  }
  return results;
}

/**
 * The fault matrix of issue 8: every class over `seeds` for `hours` (default: each scenario's
 * own, 6 h), with our `quarantine` strategy unless told otherwise.
 */
export async function runFaultMatrix(options: FaultMatrixOptions): Promise<FaultMatrixRow[]> {
  const door = options.door ?? 'in-process';
  const strategy = options.strategy ?? 'quarantine';
  const rows: FaultMatrixRow[] = [];
  for (const fault of options.faults ?? faultScenarioNames()) {
    const results = await runFaultClass(fault, {
      seeds: options.seeds,
      ...(options.hours === undefined ? {} : { hours: options.hours }),
      door,
      strategy,
    });
    rows.push(rowOf(fault, strategy, door, results));
  }
  return rows;
}
