import type { ScaleDownReport } from '../../core/strategy.js';
import { account, type Accounting } from '../accounting.js';
import { buildWorld } from '../build.js';
import { FUNCTIONS, SIM_RUNNER_CONFIG_PATH } from '../control-plane/configs.js';
import { resolveStrategy } from '../control-plane/strategies.js';
import type { Door } from '../doors/types.js';
import { runToEnd, scaleDownReports } from '../run.js';
import type { Scenario } from '../scenarios/schema.js';
import type { World } from '../world/world.js';
import { instancesLeakedPast } from './leaks.js';
import { SecretScanner, secretsLeft } from './secrets.js';

export interface FaultRunOptions {
  /** The fault class's scenario, its crashes and overlaps included (catalog.ts). */
  readonly scenario: Scenario;
  readonly strategy: string;
  readonly seed: number;
  readonly hours?: number;
  readonly door?: 'in-process' | 'http' | Door;
  /** How much the fault class may stretch the leak bound (see `instancesLeakedPast`). */
  readonly leakSlackMinutes?: number;
}

export interface FaultRunResult {
  readonly door: string;
  readonly accounting: Accounting;
  /** Leaked past the bound stretched by the class's stated slack (= `accounting.instancesLeaked` without slack). */
  readonly instancesLeaked: number;
  readonly secretsLeft: number;
  readonly reports: readonly ScaleDownReport[];
  /** The scale-down log (every level, every invocation). */
  readonly lines: readonly string[];
  /** Log lines of the webhook and scale-up functions. */
  readonly doorLines: readonly string[];
  /** What the webhook and scale-up met (answers, retries, failed invocations, dead letters). */
  readonly doorFacts: ReadonlyMap<string, number>;
  /** The world's event log (launches, webhooks, agents, crashes). */
  readonly eventLines: readonly string[];
  /** Scale-down's metrics. */
  readonly metrics: ReadonlyMap<string, number>;
  readonly crashesFired: readonly string[];
  /** Scale-down invocations that failed (threw). */
  readonly failedRuns: number;
  /** What the world did to the fleet (injected call faults, lost webhooks, spot reclaims, dead agents). */
  readonly worldFaults: ReadonlyMap<string, number>;
  /** Every secret value the run created, for the log scan. */
  readonly scanner: SecretScanner;
}

/** One fault scenario with one strategy; deterministic per seed with the in-process door. */
export async function runFaultSimulation(options: FaultRunOptions): Promise<FaultRunResult> {
  const { scenario, seed } = options;
  const sim = await buildWorld(scenario, {
    seed,
    strategy: resolveStrategy(options.strategy),
    keepLog: true,
    ...(options.door === undefined ? {} : { door: options.door }),
    ...(options.hours === undefined ? {} : { hours: options.hours }),
  });
  try {
    await runToEnd(sim);
    const { world } = sim;
    const scanner = new SecretScanner();
    for (const parameter of world.ssm.parameters.values()) scanner.register(parameter.value);
    for (const value of world.rest.issuedSecrets) scanner.register(value);
    for (const secret of sim.door.secrets()) scanner.register(secret);
    const down = world.lambda.record(FUNCTIONS.scaleDown);
    const every = scenario.scaleDown.everyMinutes * 60_000;
    const reports = scaleDownReports(sim);
    return {
      door: sim.doorName,
      accounting: account(sim),
      instancesLeaked: instancesLeakedPast(
        world,
        scenario.scaleDown.everyMinutes,
        (options.leakSlackMinutes ?? 0) * 60_000,
      ),
      secretsLeft: secretsLeft(world, SIM_RUNNER_CONFIG_PATH, 2 * every),
      reports,
      lines: down?.lines ?? [],
      doorLines: world.lambda
        .names()
        .filter((name) => name !== FUNCTIONS.scaleDown)
        .flatMap((name) => world.lambda.record(name)?.lines.map((line) => `${name} ${line}`) ?? []),
      doorFacts: functionFacts(world),
      eventLines: world.eventLog.all(),
      metrics: down?.metrics ?? new Map<string, number>(),
      crashesFired: world.lambda.names().flatMap((name) => world.lambda.record(name)?.crashesFired ?? []),
      failedRuns: down?.outcomes.error ?? 0,
      worldFaults: worldFaults(world),
      scanner,
    };
  } finally {
    await sim.close();
  }
}

/** Trouble the webhook and scale-up met, as counts. */
function functionFacts(world: World): Map<string, number> {
  const facts = new Map<string, number>();
  const add = (key: string, n: number): void => {
    if (n > 0) facts.set(key, (facts.get(key) ?? 0) + n);
  };
  const statuses = world.webhooks.stats.byStatus;
  add(
    'webhook answers non-2xx',
    Object.entries(statuses).reduce((n, [k, v]) => n + (/^2/.test(k) ? 0 : v), 0),
  );
  add('scale-up messages retried', world.queues.stats.retried);
  add('scale-up invocations failed', world.queues.stats.failedInvocations);
  for (const pool of world.pools.values()) add('messages dead-lettered', world.sqs.redrivenFrom(pool.config.queueUrl));
  for (const name of world.lambda.names()) {
    if (name === FUNCTIONS.scaleDown) continue;
    for (const [metric, n] of world.lambda.record(name)?.metrics ?? []) {
      if (/error|fail|throttl|ratelimit|retr|dead|invalid|rejected|dropped/i.test(metric))
        add(`${name} metric ${metric}`, n);
    }
  }
  return facts;
}

function worldFaults(world: World): Map<string, number> {
  const facts = new Map<string, number>();
  const add = (key: string, n: number): void => {
    if (n > 0) facts.set(key, (facts.get(key) ?? 0) + n);
  };
  for (const [kind, n] of world.counters.injected) add(`github ${kind}`, n);
  add('rate-limit answers', world.counters.rateLimitHits);
  const deliveries = world.github.deliveries;
  add('webhooks lost', deliveries.filter((d) => d.lost).length);
  add('webhooks late > 5 min', deliveries.filter((d) => !d.lost && d.deliverMs - d.sentMs > 300_000).length);
  for (const instance of world.ec2.instances.values()) {
    if (instance.terminatedBy === 'spot') add('spot interruptions', 1);
    if (instance.bootFailed) add('failed boots', 1);
  }
  add('silent agents', world.eventLog.all().filter((line) => line.includes(' agent.dead ')).length);
  return facts;
}
