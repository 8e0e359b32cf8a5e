import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { loadScenario } from './scenarios/load.js';
import { runHttpSimulation } from './http/run.js';
import { resolveStrategy, runSimulation, STRATEGIES, type SimulationResult } from './run.js';
import { finishReport, runCompare, TimelineRecorder, wantsReport } from './report/cli.js';

export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

const USAGE = `usage: npm start -- [--scenario NAME|FILE] [--strategy NAME] [--hours N] [--seed N] [--door D] [--json]
  --scenario  built-in (steady, burst, lag-heavy, stale-flag, webhook-loss, chaos) or a JSON file; default steady
  --strategy  ${Object.keys(STRATEGIES).join(', ')}; default quarantine (ours)
  --hours     simulated hours; default: the scenario's
  --seed      RNG seed (integer); default 1
  --door      in-process (ports over the world; default) or http (the real Lambda handlers and
              production adapters through the simulator's HTTP facades)
  --json      print only one JSON object with the results on stdout
  --report FILE.html  write the HTML timeline report there; without it a run that is not --json
              writes reports/<scenario>-<strategy>-seed<N>.html and prints the path
  --compare a,b,c  run these strategies (instead of --strategy) on the same scenario, seed and hours:
              a side-by-side table and one comparison report; with --json, one object
              { scenario, seed, simulatedHours, runs: [one --json object per strategy] }
`;

/** The keys `--json` prints, in this order (issue 3). */
export function summaryJson(result: SimulationResult): Record<string, unknown> {
  const a = result.accounting;
  return {
    scenario: result.scenario,
    strategy: result.strategy,
    seed: result.seed,
    simulatedHours: result.simulatedHours,
    jobsSubmitted: a.jobsSubmitted,
    jobsCompleted: a.jobsCompleted,
    jobsKilled: a.jobsKilled,
    jobsKilledByCause: a.jobsKilledByCause,
    jobsLostToSpot: a.jobsLostToSpot,
    jobsQueuedAtEnd: a.jobsQueuedAtEnd,
    instancesLaunched: a.instancesLaunched,
    instancesLeaked: a.instancesLeaked,
    instanceHours: a.instanceHours,
    idleInstanceHours: a.idleInstanceHours,
    githubCalls: a.githubCalls,
    awsCalls: a.awsCalls,
    maxSurplusIdleSeconds: a.maxSurplusIdleSeconds,
  };
}

function readable(result: SimulationResult): string {
  const a = result.accounting;
  const per10k = a.jobsSubmitted === 0 ? 0 : (a.jobsKilled / a.jobsSubmitted) * 10_000;
  const rows: [string, string][] = [
    ['scenario / strategy / seed', `${result.scenario} / ${result.strategy} / ${result.seed}`],
    ['simulated hours', String(result.simulatedHours)],
    ['jobs submitted / completed', `${a.jobsSubmitted} / ${a.jobsCompleted}`],
    ['jobs killed by the control plane', `${a.jobsKilled} (${per10k.toFixed(1)} per 10,000)`],
    [
      '  by cause',
      `terminate ${a.jobsKilledByCause.terminate}, delete ${a.jobsKilledByCause.delete}, label ${a.jobsKilledByCause.label}`,
    ],
    ['jobs lost to spot', String(a.jobsLostToSpot)],
    ['jobs queued / running at end', `${a.jobsQueuedAtEnd} / ${a.jobsRunningAtEnd}`],
    ['instances launched / leaked', `${a.instancesLaunched} / ${a.instancesLeaked}`],
    ['instance-hours (idle)', `${a.instanceHours} (${a.idleInstanceHours})`],
    ['max surplus idle', `${a.maxSurplusIdleSeconds} s`],
    ['orphans reaped', String(a.orphansReaped)],
    ['GitHub calls', String(a.githubCalls)],
    ['AWS calls', String(a.awsCalls)],
    ['rate-limit hits', String(a.rateLimitHits)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}

function positive(name: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)) || (!integer && n <= 0)) {
    throw new ConfigError(
      `--${name}: expected a ${integer ? 'non-negative integer' : 'positive number'}, got "${value}"`,
    );
  }
  return n;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string', default: 'steady' },
        strategy: { type: 'string', default: 'quarantine' },
        hours: { type: 'string' },
        seed: { type: 'string', default: '1' },
        json: { type: 'boolean', default: false },
        door: { type: 'string', default: 'in-process' },
        report: { type: 'string' },
        compare: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  try {
    const scenario = loadScenario(values.scenario);
    const strategy = resolveStrategy(values.strategy);
    const hours = positive('hours', values.hours, false) ?? scenario.hours;
    const seed = positive('seed', values.seed, true) ?? 1;
    const door = values.door;
    if (door !== 'in-process' && door !== 'http') {
      throw new ConfigError(`--door: expected in-process or http, got "${door}"`);
    }
    // Reports (issue 7): a comparison is its own run; a single run records a timeline when a report is due.
    const reportArgs = { scenario, hours, seed, json: values.json, report: values.report };
    if (values.compare !== undefined && door === 'http') {
      throw new ConfigError('--compare runs the in-process door only (for now); drop --door http');
    }
    if (values.compare !== undefined)
      return await runCompare({ ...reportArgs, strategies: values.compare }, io, summaryJson);
    const recorder = wantsReport(reportArgs) ? new TimelineRecorder() : undefined;
    const started = Date.now();
    const options = {
      ...(recorder ? { onStart: recorder.onStart } : {}),
      scenario,
      strategy,
      hours,
      seed,
      onProgress: (done: number, total: number) => {
        // The HTTP door is slower: a progress line per hour, with wall time, even with --json.
        if (door === 'http') {
          const wall = ((Date.now() - started) / 1000).toFixed(1);
          io.stderr.write(`simulated ${done.toFixed(0)} / ${total} h (http door, ${wall} s)\n`);
        } else if (!values.json) io.stderr.write(`\rsimulated ${done.toFixed(0)} / ${total} h`);
      },
    };
    const result =
      door === 'http'
        ? await runHttpSimulation({
            ...options,
            // Handler warnings and errors go to stderr; stdout keeps the summary (or the one JSON object).
            log: (level, service, message, attributes) => {
              if (level !== 'WARN' && level !== 'ERROR') return;
              io.stderr.write(`${level} ${service}: ${message} ${JSON.stringify(attributes ?? {})}\n`);
            },
          })
        : await runSimulation(options);
    if (values.json) {
      io.stdout.write(`${JSON.stringify(summaryJson(result))}\n`);
    } else {
      io.stderr.write('\n');
      io.stdout.write(readable(result));
    }
    if (recorder) {
      const timeline = recorder.finish();
      finishReport(reportArgs, [{ strategy: result.strategy, accounting: result.accounting, timeline }], io);
    }
    return 0;
  } catch (error) {
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof ConfigError ? 2 : 1;
  }
}
