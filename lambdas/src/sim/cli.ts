import { parseArgs } from 'node:util';
import { progressLine } from './progress.js';
import type { World } from './world/world.js';
import { ConfigError } from '../errors.js';
import { builtinScenarioNames, loadScenario } from './scenarios/load.js';
import { withRunnerSource } from './scenarios/variants.js';
import { RUNNER_SOURCES, type RunnerSource } from './world/boot.js';
import { resolveStrategy, runSimulation, STRATEGIES, type SimulationResult } from './run.js';
import { ALL_OURS, type OurFunctions } from './build.js';
import { finishReport, runCompare, TimelineRecorder, wantsReport } from './report/cli.js';

export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Simulated hours of a sandbox run through the HTTP door when `--hours` is not given: well under a minute. */
const SANDBOX_HOURS = 4;

const USAGE = `usage: npm start -- [--scenario NAME|FILE] [--strategy NAME] [--hours N] [--seed N] [--runner-source S] [--door D] [--json]
  --scenario  built-in (${builtinScenarioNames().join(', ')}) or a JSON file; default steady
  --strategy  ${Object.keys(STRATEGIES).join(', ')}; default quarantine (ours)
  --hours     simulated hours; default: the scenario's (${SANDBOX_HOURS} with the http door)
  --seed      RNG seed (integer); default 1
  --runner-source  where instances get actions/runner: ${RUNNER_SOURCES.join(', ')} (the module's S3 cache,
              github.com's release download, a prebuilt AMI); default: the scenario's (cache)
  --door      http: the real Lambda handlers and production adapters through the simulator's
              HTTP facades (the default for a readable run: the sandbox); in-process: the ports
              over the world, byte-for-byte deterministic and ~100x faster (the default with
              --json or --compare, and what the property tests and the bench use)
  --json      print only one JSON object with the results on stdout
  --report FILE.html  write the HTML timeline report there; without it a run that is not --json
              writes reports/<scenario>-<strategy>-seed<N>.html and prints the path
  --compare a,b,c  run these strategies (instead of --strategy) on the same scenario, seed and hours:
              a side-by-side table and one comparison report; with --json, one object
              { scenario, seed, simulatedHours, runs: [one --json object per strategy] }
  --serve     keep the scenario's world up as its HTTP facades (GitHub, EC2, SSM, SQS) with a control
              API on 127.0.0.1 for an external autoscaler; virtual time moves on
              POST /control/advance and by its calls' latency. No control plane runs inside unless --with-control-plane
  --port N    the control API's port with --serve; default 8787, 0 picks a free one
  --with-control-plane  with --serve: run our webhook, scale-up and scale-down handlers inside too
  --ours a,b  with --serve: run only these of ours inside (webhook, scale-up, scale-down); the caller does the rest
`;

/** The keys `--json` prints, in this order (issue 3, then issue 12's and issue 13's additions). */
export function summaryJson(
  result: Pick<SimulationResult, 'scenario' | 'strategy' | 'seed' | 'simulatedHours' | 'accounting' | 'boot'>,
): Record<string, unknown> {
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
    jobsRequeuedAfterSpot: a.jobsRequeuedAfterSpot,
    jobsQueuedAtEnd: a.jobsQueuedAtEnd,
    instancesLaunched: a.instancesLaunched,
    instancesLeaked: a.instancesLeaked,
    instanceHours: a.instanceHours,
    idleInstanceHours: a.idleInstanceHours,
    githubCalls: a.githubCalls,
    awsCalls: a.awsCalls,
    maxSurplusIdleSeconds: a.maxSurplusIdleSeconds,
    queueWaitSeconds: a.queueWaitSeconds,
    returnedToService: a.returnedToService,
    backstops: a.backstops,
    ec2Throttles: a.ec2Throttles,
    githubThrottles: a.githubThrottles,
    degraded: a.degraded,
    killedJobs: a.killedJobs,
    // issue 13: which guard held, and how long marks lasted
    guards: { ...a.guards, reported: a.guardsReported },
    retirementSecondsByPool: a.retirementSecondsByPool,
    maxMarkedWithDemandSeconds: a.maxMarkedWithDemandSeconds,
    // issue 14: what hostile runners tried and what stopped them (null: no attackers in the scenario)
    hostileAttempts: a.hostile ?? null,
    // issue 15: where the runner binary came from, and CreateFleet to runner online
    boot: result.boot,
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
    ['jobs lost to spot', `${a.jobsLostToSpot} (${a.jobsRequeuedAfterSpot} re-run)`],
    ['jobs queued / running at end', `${a.jobsQueuedAtEnd} / ${a.jobsRunningAtEnd}`],
    [
      'queue wait p50 / p95 / max',
      `${a.queueWaitSeconds.p50} / ${a.queueWaitSeconds.p95} / ${a.queueWaitSeconds.max} s`,
    ],
    [
      'boot p50 / p95 (runner source)',
      `${result.boot.seconds.p50} / ${result.boot.seconds.p95} s (${result.boot.runnerSource})`,
    ],
    ['returned to service / backstops', `${a.returnedToService} / ${a.backstops}`],
    [
      'guard (a) failures / guard (b) saves',
      `${a.guards.guardAFailures} / ${a.guards.guardBSaves} (jobs assigned while a quarantine propagated: ${a.guards.assignedWhileQuarantining})`,
    ],
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

/** The functions' warnings and errors go to stderr (the first few): stdout keeps the summary. */
function warnings(result: SimulationResult, io: CliIo): void {
  const lines = result.world.lambda
    .names()
    .flatMap((name) => (result.world.lambda.record(name)?.lines ?? []).map((line) => `${name} ${line}`))
    .filter((line) => / (WARN|ERROR) /.test(line));
  for (const line of lines.slice(0, 20)) io.stderr.write(`${line}\n`);
  if (lines.length > 20) io.stderr.write(`(${lines.length - 20} more warnings and errors)\n`);
}

/** `--ours webhook,scale-up,scale-down`: which of our functions run inside a served world. */
function oursOf(value: string | undefined, withControlPlane: boolean): OurFunctions {
  if (value === undefined) return withControlPlane ? ALL_OURS : { webhook: false, scaleUp: false, scaleDown: false };
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const known = ['webhook', 'scale-up', 'scale-down'];
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0)
    throw new ConfigError(`--ours: unknown function(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  return {
    webhook: names.includes('webhook'),
    scaleUp: names.includes('scale-up'),
    scaleDown: names.includes('scale-down'),
  };
}

/** `--runner-source`: one of RUNNER_SOURCES, or undefined for the scenario's own. */
function runnerSourceOf(value: string | undefined): RunnerSource | undefined {
  if (value === undefined) return undefined;
  const source = RUNNER_SOURCES.find((s) => s === value);
  if (source === undefined)
    throw new ConfigError(`--runner-source: expected one of ${RUNNER_SOURCES.join(', ')}, got "${value}"`);
  return source;
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
        'runner-source': { type: 'string' },
        json: { type: 'boolean', default: false },
        door: { type: 'string' },
        report: { type: 'string' },
        compare: { type: 'string' },
        help: { type: 'boolean', default: false },
        serve: { type: 'boolean', default: false },
        port: { type: 'string' },
        'with-control-plane': { type: 'boolean', default: false },
        ours: { type: 'string' },
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
    const loaded = loadScenario(values.scenario);
    const source = runnerSourceOf(values['runner-source']);
    const scenario = source === undefined ? loaded : withRunnerSource(loaded, source);
    const strategy = resolveStrategy(values.strategy);
    // The sandbox (a readable run) shows the real handlers at work; machine output stays on the
    // deterministic door, so `--json` twice gives the same bytes (issue 3).
    const door = values.door ?? (values.json || values.compare !== undefined ? 'in-process' : 'http');
    const hours =
      positive('hours', values.hours, false) ??
      (door === 'http' ? Math.min(SANDBOX_HOURS, scenario.hours) : scenario.hours);
    const seed = positive('seed', values.seed, true) ?? 1;
    if (values.port !== undefined && !values.serve) throw new ConfigError('--port needs --serve');
    if (values['with-control-plane'] && !values.serve) throw new ConfigError('--with-control-plane needs --serve');
    if (values.ours !== undefined && !values.serve) throw new ConfigError('--ours needs --serve');
    if (values.serve) {
      const port = positive('port', values.port, true) ?? 8787;
      if (port > 65_535) throw new ConfigError(`--port: expected 0..65535, got "${values.port ?? ''}"`);
      if (values.json || values.compare !== undefined || values.report !== undefined || values.hours !== undefined) {
        throw new ConfigError('--serve runs until shutdown: --json, --compare, --report and --hours do not apply');
      }
      // Loaded on demand: serve/ imports this module's summaryJson.
      const { runServe, signalWaiter } = await import('./serve/cli.js');
      const signals = signalWaiter();
      try {
        const functions = oursOf(values.ours, values['with-control-plane']);
        return await runServe({ scenario, seed, port, functions, strategy, stopSignal: signals.promise }, io);
      } finally {
        signals.dispose();
      }
    }
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
    let world: World | undefined;
    const options = {
      onStart: (started: World, endMs: number) => {
        world = started;
        recorder?.onStart(started, endMs);
      },
      scenario,
      strategy,
      hours,
      seed,
      onProgress: (done: number, total: number) => {
        const wall = (Date.now() - started) / 1000;
        const line = world ? progressLine(world, done, total, wall) : `${done.toFixed(0)}/${total} h`;
        // The HTTP door is slower: a progress line per hour, even with --json (stderr only).
        if (door === 'http') io.stderr.write(`${line} (http door)\n`);
        else if (!values.json) io.stderr.write(`\r${line}`);
      },
    };
    const result = await runSimulation({ ...options, door });
    if (door === 'http') warnings(result, io);
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
