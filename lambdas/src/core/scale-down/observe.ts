import type { ScaleDownConfig } from '../../config/schema.js';
import { FleetError, describeError } from '../../errors.js';
import type { Log } from '../../observability/types.js';
import type { FleetInstance, GitHubRunner, Ports, RunnerOwner } from '../../ports/index.js';
import { ownerKey, parseOwner } from '../../ports/index.js';
import { instanceIdOfRunnerName } from '../runner-name.js';
import { TAG, decodeAgentState, decodeJobEvidence, decodeLifecycle, type AgentState } from '../tags.js';
import { KeyedLimiter } from './limiter.js';
import type { FleetObservation, ObservedInstance, ObservedOwner, ObservedPool } from './types.js';

export interface RunnerIndex {
  readonly byName: ReadonlyMap<string, GitHubRunner>;
  readonly byId: ReadonlyMap<number, GitHubRunner>;
  /** Every runner named after an instance (core/runner-name.ts), by instance id. */
  readonly byInstance: ReadonlyMap<string, readonly GitHubRunner[]>;
}

export function indexRunners(runners: readonly GitHubRunner[]): RunnerIndex {
  const byInstance = new Map<string, GitHubRunner[]>();
  for (const runner of runners) {
    const instanceId = instanceIdOfRunnerName(runner.name);
    if (instanceId !== undefined) byInstance.set(instanceId, [...(byInstance.get(instanceId) ?? []), runner]);
  }
  return { byName: new Map(runners.map((r) => [r.name, r])), byId: new Map(runners.map((r) => [r.id, r])), byInstance };
}

function poolOwner(pool: { owner: string; ownerType: 'org' | 'repo' }): RunnerOwner {
  return parseOwner(pool.owner);
}

function parseNumber(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,16}$/.test(value)) return undefined;
  return Number(value);
}

/**
 * How far ahead of our clock an agent's time may be and still count as written now: both clocks
 * are NTP-synchronised (Lambda; chrony on the AMIs we support), so a minute is generous.
 */
export const AGENT_CLOCK_SKEW_MS = 60_000;

/**
 * The agent tag is written on the instance, where a job runs as root and can write it too
 * (docs/threat-model.md): its time is hostile input. A time the agent could not have written —
 * after now (plus skew) — is read as the launch time, the earliest it could mean: a forged `busy`
 * goes stale `maxJobDuration` after launch instead of never, a forged `idle`/`exited` neither
 * prolongs the boot window nor clears an orphan tag nor asks for a remark. A time before launch
 * is read as the launch time too (the instance did not exist). `forged` says the time was in the future.
 */
export function clampAgentTime(
  agent: AgentState,
  launchTimeMs: number,
  nowMs: number,
): { agent: AgentState; forged: boolean } {
  if (agent.atMs > nowMs + AGENT_CLOCK_SKEW_MS) return { agent: { ...agent, atMs: launchTimeMs }, forged: true };
  if (agent.atMs < launchTimeMs) return { agent: { ...agent, atMs: launchTimeMs }, forged: false };
  return { agent, forged: false };
}

/** `ghr:orphan` holds the time we tagged it; upstream writes `true`, which we read as "long ago". */
function parseOrphan(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return parseNumber(value) ?? 0;
}

async function listOwner(
  ports: Ports,
  owner: RunnerOwner,
  log: Log,
): Promise<{ index?: RunnerIndex; runnerCount: number; failure?: string }> {
  try {
    const runners = await ports.github.listRunners(owner);
    return { index: indexRunners(runners), runnerCount: runners.length };
  } catch (error) {
    // An owner we cannot list is left alone this run: no registration fact means no decision.
    if (!(error instanceof FleetError)) throw error;
    log.warn('runner list failed', { owner: ownerKey(owner), error: describeError(error) });
    return { runnerCount: 0, failure: error.name };
  }
}

async function queueDepth(ports: Ports, queueUrl: string, pool: string, log: Log): Promise<number | undefined> {
  try {
    const depth = await ports.sqs.getQueueDepth(queueUrl);
    return depth.visible + depth.inFlight + depth.delayed;
  } catch (error) {
    if (!(error instanceof FleetError)) throw error;
    log.warn('queue depth unavailable', { pool, error: describeError(error) });
    return undefined;
  }
}

/**
 * Reads the fleet once per run: instances by environment tag, one paginated runner list per
 * owner (owners from the pools and from `ghr:Owner` tags), each pool's queue depth. Instances
 * are joined to runners by the `ghr:github_runner_id` tag, else by name (the runner is named after
 * its instance). Only the EC2 listing may fail the run: without it there is nothing to plan.
 */
export async function observeFleet(
  ports: Ports,
  config: ScaleDownConfig,
  log: Log,
  maxConcurrentLists: number = config.concurrency.global,
): Promise<FleetObservation> {
  const observedAtMs = ports.clock.now();
  const instances = await ports.ec2.listInstances({
    tags: { [TAG.environment]: config.environment },
    states: ['pending', 'running'],
  });

  const owners = new Map<string, RunnerOwner>();
  for (const pool of Object.values(config.pools)) {
    const owner = poolOwner(pool);
    owners.set(ownerKey(owner), owner);
  }
  for (const instance of instances) {
    const tag = instance.tags[TAG.owner];
    if (tag !== undefined && tag !== '') owners.set(ownerKey(parseOwner(tag)), parseOwner(tag));
  }

  const ownerEntries = [...owners.entries()];
  const limiter = new KeyedLimiter({ global: maxConcurrentLists, perKey: 1 });
  const [listings, depths] = await Promise.all([
    // Bounded like every other GitHub call of the run: one list at a time per owner.
    Promise.all(ownerEntries.map(([key, owner]) => limiter.run(key, () => listOwner(ports, owner, log)))),
    Promise.all(
      Object.entries(config.pools).map(async ([name, pool]): Promise<[string, ObservedPool]> => {
        const depth = await queueDepth(ports, pool.queueUrl, name, log);
        return [name, depth === undefined ? { name } : { name, queueDepth: depth }];
      }),
    ),
  ]);
  const indexes = new Map<string, RunnerIndex | undefined>();
  const observedOwners: ObservedOwner[] = ownerEntries.map(([key, owner], i) => {
    const listing = listings[i] ?? { runnerCount: 0 };
    indexes.set(key, listing.index);
    return {
      owner,
      key,
      listed: listing.index !== undefined,
      ...(listing.failure === undefined ? {} : { listFailure: listing.failure }),
      runnerCount: listing.runnerCount,
    };
  });

  const observed = instances.map((instance) =>
    observeInstance(instance, config, (key) => indexes.get(key), observedAtMs),
  );

  return { observedAtMs, instances: observed, owners: observedOwners, pools: Object.fromEntries(depths) };
}

/**
 * Decodes one instance's tags as seen at `nowMs` and joins it to its runner: the registration
 * scale-up gave it last (`ghr:github_runner_id`, scale-up's own tag), else the one named after it
 * (no tag: a token registration, an upstream instance). The last one given is the one that can
 * still take a job: while a job runs, the instance may also hold the next registration, prepared
 * ahead (scale-up/recycle.ts), and the job's own is consumed — it takes no other job, so quarantining
 * it would stop nothing. Joined to the prepared one, a busy instance stays busy by its agent and
 * evidence, and an instance between the two is between registrations.
 */
export function observeInstance(
  instance: FleetInstance,
  config: Pick<ScaleDownConfig, 'pools'>,
  indexOf: (ownerKey: string) => RunnerIndex | undefined,
  nowMs: number,
): ObservedInstance {
  const ownerTag = instance.tags[TAG.owner];
  const pool = instance.tags[TAG.pool] ?? poolByOwner(config, ownerTag);
  const poolConfig = pool === undefined ? undefined : config.pools[pool];
  const owner =
    ownerTag !== undefined && ownerTag !== '' ? parseOwner(ownerTag) : poolConfig ? poolOwner(poolConfig) : undefined;
  const key = owner === undefined ? undefined : ownerKey(owner);
  const index = key === undefined ? undefined : indexOf(key);
  const runnerIdTag = parseNumber(instance.tags[TAG.runnerId]);
  const runner =
    (runnerIdTag === undefined ? undefined : index?.byId.get(runnerIdTag)) ?? index?.byName.get(instance.instanceId);
  const earlierRunnerBusy = index?.byInstance.get(instance.instanceId)?.some((r) => r.id !== runner?.id && r.busy);
  const lifecycle = decodeLifecycle(instance.tags[TAG.lifecycle]);
  const written = decodeAgentState(instance.tags[TAG.agentState]);
  const clamped = written === undefined ? undefined : clampAgentTime(written, instance.launchTimeMs, nowMs);
  const agent = clamped?.agent;
  const evidence = decodeJobEvidence(instance.tags[TAG.jobEvidence]);
  const orphanSinceMs = parseOrphan(instance.tags[TAG.orphan]);
  const fenceToken = parseNumber(instance.tags[TAG.fence]);
  const bypass = instance.tags[TAG.bypassRemoval];
  return {
    instanceId: instance.instanceId,
    state: instance.state,
    launchTimeMs: instance.launchTimeMs,
    ...(pool === undefined ? {} : { pool }),
    ...(owner === undefined ? {} : { owner, ownerKey: key }),
    ...(runner === undefined ? {} : { runner }),
    ...(earlierRunnerBusy === true ? { earlierRunnerBusy: true as const } : {}),
    registrationKnown: index !== undefined,
    ...(runnerIdTag === undefined ? {} : { runnerIdTag }),
    ...(lifecycle === undefined ? {} : { lifecycle }),
    ...(fenceToken === undefined ? {} : { fenceToken }),
    ...(agent === undefined ? {} : { agent }),
    ...(clamped?.forged === true ? { agentTimeForged: true } : {}),
    ...(evidence === undefined ? {} : { evidence }),
    ...(orphanSinceMs === undefined ? {} : { orphanSinceMs }),
    bypassRemoval: bypass !== undefined && bypass !== 'false',
    tags: instance.tags,
  };
}

/**
 * Instances launched by the upstream module carry no `ghr:pool`: when exactly one pool serves
 * their `ghr:Owner`, they belong to it (a migration path); otherwise they stay unknown and untouched.
 */
function poolByOwner(config: Pick<ScaleDownConfig, 'pools'>, ownerTag: string | undefined): string | undefined {
  if (ownerTag === undefined) return undefined;
  const matches = Object.entries(config.pools).filter(([, pool]) => pool.owner === ownerTag);
  return matches.length === 1 ? matches[0]![0] : undefined;
}
