import { STRATEGIES } from '../../sim/control-plane/strategies.js';
import { noMetrics, type Log } from '../../observability/types.js';
import { startScaleFixture } from './fixture.js';
import { benchOwners, floorCalls } from './owners.js';

export interface ScaleRow {
  readonly instances: number;
  readonly owners: number;
  readonly latencyMs: number;
  readonly strategy: string;
  readonly wallMs: number;
  readonly githubCalls: number;
  readonly floorCalls: number;
  /** What the run's report says it retired. */
  readonly retired: number;
  /** Left after the run: instances still pending or running, registrations still listed. */
  readonly remainingInstances: number;
  readonly remainingRunners: number;
  /** Warnings and errors the run logged (rate limits, failed steps). */
  readonly warnings: number;
  readonly githubCallsByEndpoint: Readonly<Record<string, number>>;
}

export interface ScaleOptions {
  readonly instances: number;
  readonly owners: number;
  readonly latencyMs: number;
  readonly strategies?: readonly string[];
  /** Called every `progressEveryMs` of a run with the GitHub calls made so far. */
  readonly onProgress?: (strategy: string, githubCalls: number) => void;
  readonly progressEveryMs?: number;
}

function countingLog(): Log & { warnings: number } {
  const log = {
    warnings: 0,
    debug() {},
    info() {},
    warn() {
      log.warnings += 1;
    },
    error() {
      log.warnings += 1;
    },
  };
  return log;
}

/** One scale-down run of `strategy` over a fresh fixture; wall time covers the run only. */
export async function runScaleOnce(options: ScaleOptions, strategyName: string): Promise<ScaleRow> {
  const strategy = STRATEGIES[strategyName]?.strategy;
  if (strategy === undefined) throw new Error(`unknown strategy "${strategyName}"`);
  const owners = benchOwners(options.instances, options.owners);
  const fixture = await startScaleFixture(owners, options.latencyMs);
  const log = countingLog();
  const timer = options.onProgress
    ? setInterval(
        () => options.onProgress?.(strategyName, fixture.facade.requests.length),
        options.progressEveryMs ?? 2000,
      )
    : undefined;
  try {
    const started = performance.now();
    const report = await strategy.run({ ports: fixture.ports, config: fixture.config, log, metrics: noMetrics });
    const wallMs = Math.round(performance.now() - started);
    const byEndpoint: Record<string, number> = {};
    for (const r of fixture.facade.requests) byEndpoint[r.endpoint] = (byEndpoint[r.endpoint] ?? 0) + 1;
    const remaining = await fixture.remaining();
    return {
      instances: options.instances,
      owners: options.owners,
      latencyMs: options.latencyMs,
      strategy: strategyName,
      wallMs,
      githubCalls: fixture.facade.requests.length,
      floorCalls: floorCalls(owners),
      retired: report.retired,
      remainingInstances: remaining.instances,
      remainingRunners: remaining.runners,
      warnings: log.warnings,
      githubCallsByEndpoint: byEndpoint,
    };
  } finally {
    if (timer) clearInterval(timer);
    await fixture.close();
  }
}

export interface ScaleResult {
  readonly rows: readonly ScaleRow[];
  /** quarantine wallMs / sequential wallMs, when both ran. */
  readonly ratio?: number;
  readonly aim: { readonly wallTimeRatio: string; readonly githubCalls: string };
  readonly note: string;
}

export async function runScale(options: ScaleOptions): Promise<ScaleResult> {
  const rows: ScaleRow[] = [];
  for (const name of options.strategies ?? ['quarantine', 'sequential']) rows.push(await runScaleOnce(options, name));
  const ours = rows.find((r) => r.strategy === 'quarantine');
  const sequential = rows.find((r) => r.strategy === 'sequential');
  const ratio =
    ours && sequential && sequential.wallMs > 0
      ? Math.round((ours.wallMs / sequential.wallMs) * 1000) / 1000
      : undefined;
  return {
    rows,
    ...(ratio === undefined ? {} : { ratio }),
    aim: { wallTimeRatio: '<= 0.2 (quarantine / sequential)', githubCalls: '<= 1.1 x floorCalls' },
    note:
      `${options.latencyMs} ms real delay per GitHub call on the backend side; production Octokit and AWS SDK ` +
      "adapters through the HTTP facades; settle wait on a virtual clock (no real time); the adapter's " +
      "GitHub limiter off (throttle: false) and the facade enforcing GitHub's secondary limits (403 past " +
      '900 points a minute per endpoint: above 180 writes an endpoint the run is refused); agents acknowledge marks at once.',
  };
}
