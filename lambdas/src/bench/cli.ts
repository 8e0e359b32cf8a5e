import { ConfigError } from '../errors.js';
import { measureSpeed } from '../sim/bench-speed.js';
import { measureBundles } from './bundles.js';
import { USAGE, parseBenchArgs, type BenchOptions } from './options.js';
import { Progress, type BenchIo } from './progress.js';
import { readable, type BenchResult } from './report.js';
import { costOfSafety, runSafety } from './safety.js';
import { runBoot } from './boot.js';
import { runScale } from './scale/run.js';
import { httpHours, runFaults } from './faults.js';
import { measureAgentLatency } from './agent/latency.js';
import { awsMode } from './agent/world.js';

const SAME_MODE_NOTE =
  'strategies are compared in the same registration mode first: token (long-lived registrations on every pool, ' +
  'guard (b) absent) and jit (JIT on every pool); then each in its own mode (sim/scenarios/variants.ts)';

async function collect(options: BenchOptions, progress: Progress, env: BenchIo['env']): Promise<BenchResult> {
  const result: BenchResult = { notes: {} };
  const { parts } = options;
  if (parts.has('safety') || parts.has('cost')) {
    const rows = await runSafety({
      seeds: options.seeds,
      hours: options.hours,
      onProgress: (done, total) => progress.step('safety: simulations', done, total),
    });
    progress.end();
    if (parts.has('safety')) result.safety = rows;
    if (parts.has('cost')) result.cost = costOfSafety(rows);
    result.notes.safety = SAME_MODE_NOTE;
  }
  if (parts.has('boot')) {
    result.boot = await runBoot({
      seeds: options.seeds,
      hours: options.hours,
      onProgress: (done, total) => progress.step('boot: simulations', done, total),
    });
    progress.end();
  }
  if (parts.has('faults')) {
    const http = options.faultDoors === 'both' ? ` + HTTP door seed 1 x ${httpHours(options.hours)} h` : '';
    progress.line(`faults: eight fault classes, ${options.seeds} seed(s) x ${options.hours} h${http}`);
    result.faults = await runFaults({
      seeds: options.seeds,
      hours: options.hours,
      inProcessOnly: options.faultDoors === 'in-process',
    });
  }
  if (parts.has('scale')) {
    progress.line(
      `scale: ${options.instances} instances, ${options.owners} owners, ${options.latencyMs} ms per GitHub call`,
    );
    const scale = await runScale({
      instances: options.instances,
      owners: options.owners,
      latencyMs: options.latencyMs,
      onProgress: (strategy, calls) => progress.status(`scale: ${strategy}, ${calls} GitHub calls so far`),
      progressEveryMs: progress.tty ? 1_000 : 15_000,
    });
    progress.end();
    const { rows, ...summary } = scale;
    const callsOverFloor = Object.fromEntries(
      rows.map((r) => [r.strategy, r.floorCalls > 0 ? Math.round((r.githubCalls / r.floorCalls) * 1000) / 1000 : 0]),
    );
    result.scale = [...rows];
    result.scaleSummary = { ...summary, callsOverFloor };
  }
  if (parts.has('speed')) {
    progress.line(`speed: 50-runner fleet, ${options.speedHours} simulated h`);
    const speed = await measureSpeed({ hours: options.speedHours });
    result.speed = { ...speed, aim: '>= 1,000 simulated fleet-hours per CPU-minute (issue 3)' };
  }
  if (parts.has('bundles')) {
    progress.line('bundles: building with scripts/build.mjs');
    result.bundles = await measureBundles({
      samples: options.importSamples,
      onProgress: (name) => progress.line(`bundles: cold imports of ${name}`),
    });
  }
  if (parts.has('agent')) {
    if (env === undefined)
      throw new ConfigError('the agent part starts bash and node: it needs the environment (BenchIo.env)');
    const aws = awsMode(env);
    progress.line(
      `agent: the real runner agent, ${options.agentRuns} run(s), AWS calls via ${aws === 'cli' ? 'the AWS CLI' : 'aws-shim.mjs'}`,
    );
    result.agent = await measureAgentLatency({
      runs: options.agentRuns,
      env,
      aws,
      onProgress: (done, total) => progress.step('agent: runs', done, total),
    });
    progress.end();
  }
  return result;
}

/** `npm run bench`: readable tables on stdout, or with `--json` exactly one JSON object; progress on stderr. */
export async function main(argv: string[], io: BenchIo): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const progress = new Progress(io.stderr);
  const started = performance.now();
  try {
    const result = await collect(options, progress, io.env);
    progress.end();
    io.stdout.write(options.json ? `${JSON.stringify(result)}\n` : readable(result));
    io.stderr.write(`bench finished in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    return 0;
  } catch (error) {
    progress.end();
    io.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return error instanceof ConfigError ? 2 : 1;
  }
}
