import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CliIo } from '../cli.js';
import { resolveStrategy, runSimulation, type SimulationResult } from '../run.js';
import type { Scenario } from '../scenarios/schema.js';
import type { World } from '../world/world.js';
import { renderReport, SUMMARY_FIELDS, type ReportRun } from './html.js';
import { Sampler, type Timeline } from './sampler.js';

/** The CLI side of issue 7: `--report FILE.html`, the default report path, and `--compare a,b,c`. */

export interface ReportArgs {
  readonly scenario: Scenario;
  readonly hours: number;
  readonly seed: number;
  readonly json: boolean;
  /** `--report FILE.html`; without it a non-JSON run writes the default path. */
  readonly report: string | undefined;
}

/** A report is written for every readable run, and for a `--json` run only when `--report` asks. */
export function wantsReport(args: { json: boolean; report: string | undefined }): boolean {
  return args.report !== undefined || !args.json;
}

/** Attaches a sampler when the simulation starts; `finish` reads the final state after the run. */
export class TimelineRecorder {
  private sampler: Sampler | undefined;

  readonly onStart = (world: World, endMs: number): void => {
    this.sampler = new Sampler(world, endMs).start();
  };

  finish(): Timeline {
    if (!this.sampler) throw new Error('the simulation never started');
    return this.sampler.finish();
  }
}

const safe = (name: string): string => name.replace(/[^A-Za-z0-9._-]+/g, '_');

export function defaultReportPath(scenario: string, strategies: readonly string[], seed: number): string {
  const what = strategies.length === 1 ? safe(strategies[0]!) : `compare-${strategies.map(safe).join('-')}`;
  return join('reports', `${safe(scenario)}-${what}-seed${seed}.html`);
}

/** Writes the page (creating its folder) and returns where. */
export function writeReport(path: string, args: ReportArgs, runs: readonly ReportRun[]): string {
  mkdirSync(dirname(path) || '.', { recursive: true });
  writeFileSync(
    path,
    renderReport({
      scenario: args.scenario.name,
      ...(args.scenario.description ? { description: args.scenario.description } : {}),
      seed: args.seed,
      hours: args.hours,
      runs,
    }),
  );
  return path;
}

/** Writes the report a run asked for (or the default one) and says where: stdout, or stderr under `--json`. */
export function finishReport(args: ReportArgs, runs: readonly ReportRun[], io: CliIo): void {
  const path = writeReport(
    args.report ??
      defaultReportPath(
        args.scenario.name,
        runs.map((r) => r.strategy),
        args.seed,
      ),
    args,
    runs,
  );
  (args.json ? io.stderr : io.stdout).write(`report: ${path}\n`);
}

export function parseStrategyList(list: string): string[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new Error('--compare: expected a comma-separated list of strategies');
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) throw new Error(`--compare: "${duplicate}" is listed twice`);
  for (const name of names) resolveStrategy(name);
  return names;
}

/** Rows of figures, one column per strategy, numbers right-aligned. */
export function sideBySide(results: readonly SimulationResult[]): string {
  const base = results[0]?.accounting.instanceHours ?? 0;
  const rows: string[][] = [
    ['', ...results.map((r) => r.strategy)],
    ...SUMMARY_FIELDS.map((f) => [f.label, ...results.map((r) => f.value(r.accounting).toLocaleString('en-US'))]),
  ];
  if (results.length > 1 && results[0]) {
    rows.push([
      `instance-hours vs ${results[0].strategy}`,
      ...results.map((r) => {
        const pct = base === 0 ? 0 : Math.round(((r.accounting.instanceHours - base) / base) * 1000) / 10;
        return `${pct > 0 ? '+' : ''}${pct}%`;
      }),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  return (
    rows
      .map((row) => row.map((text, c) => (c === 0 ? text.padEnd(widths[c]!) : text.padStart(widths[c]!))).join('  '))
      .join('\n') + '\n'
  );
}

/**
 * `--compare a,b,c`: the same scenario, seed and hours for each strategy, run one after the other.
 * Readable output is the side-by-side table and the report path; with `--json`, stdout is one
 * object `{ scenario, seed, simulatedHours, runs: [<the single-run --json object>, …] }`.
 */
export async function runCompare(
  args: ReportArgs & { readonly strategies: string },
  io: CliIo,
  summaryJson: (result: SimulationResult) => Record<string, unknown>,
): Promise<number> {
  const names = parseStrategyList(args.strategies);
  const results: SimulationResult[] = [];
  const runs: ReportRun[] = [];
  for (const [index, name] of names.entries()) {
    const recorder = wantsReport(args) ? new TimelineRecorder() : undefined;
    const result = await runSimulation({
      scenario: args.scenario,
      strategy: resolveStrategy(name),
      hours: args.hours,
      seed: args.seed,
      ...(recorder ? { onStart: recorder.onStart } : {}),
      onProgress: (done, total) => {
        if (!args.json)
          io.stderr.write(`\r${name} (${index + 1}/${names.length}): simulated ${done.toFixed(0)} / ${total} h`);
      },
    });
    if (!args.json) io.stderr.write('\n');
    results.push(result);
    if (recorder) runs.push({ strategy: result.strategy, accounting: result.accounting, timeline: recorder.finish() });
  }
  if (args.json) {
    const first = results[0]!;
    const summary = { scenario: first.scenario, seed: first.seed, simulatedHours: first.simulatedHours };
    io.stdout.write(`${JSON.stringify({ ...summary, runs: results.map(summaryJson) })}\n`);
  } else {
    io.stdout.write(`${args.scenario.name}, seed ${args.seed}, ${args.hours} simulated hours\n`);
    io.stdout.write(sideBySide(results));
  }
  if (runs.length > 0) finishReport(args, runs, io);
  return 0;
}
