import { account, type Accounting } from '../accounting.js';
import { buildWorld, type OurFunctions, type SimWorld } from '../build.js';
import { SIM_PARAMETERS, SIM_REGION, SIM_RUNNER_CONFIG_PATH } from '../control-plane/configs.js';
import type { StrategyEntry } from '../control-plane/strategies.js';
import { httpDoor } from '../doors/http.js';
import { SIM_APP_ID, type HttpStack } from '../http/stack.js';
import type { Scenario } from '../scenarios/schema.js';
import type { PoolSpec, RegistrationMode } from '../world/pools.js';
import type { RecordedDelivery } from '../world/webhooks.js';
import type { World } from '../world/world.js';

export type { RecordedDelivery } from '../world/webhooks.js';

/**
 * How far ahead arrivals are scheduled. Poisson arrivals chain lazily, but periodic bursts are laid
 * out up to the horizon at once (scenarios/workload.ts), so it must be finite: 30 virtual days.
 */
export const SERVE_HORIZON_HOURS = 30 * 24;

export interface SessionOptions {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly strategy: StrategyEntry;
  /** Which of our functions run inside (none: an external autoscaler is the whole control plane). */
  readonly functions: OurFunctions;
}

export interface PoolEndpoint {
  readonly name: string;
  readonly owner: string;
  readonly labels: readonly string[];
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** How our scale-up registers this pool's runners (an external scale-up chooses its own). */
  readonly registration: RegistrationMode;
  readonly installationId: number;
  /** EC2 copies this launch template's tags to the instance: launch from it and the instance is the pool's runner. */
  readonly launchTemplateName: string;
  /** Where a runner's agent reads (and deletes) its config: `<runnerConfigPath>/<pool>/<instance-id>`. */
  readonly runnerConfigPath: string;
}

export interface Endpoints {
  readonly github: { readonly root: string; readonly ghes: string };
  readonly ec2: string;
  readonly ssm: string;
  readonly sqs: string;
  readonly region: string;
  readonly pools: readonly PoolEndpoint[];
  readonly parameters: { readonly appId: string; readonly privateKey: string; readonly webhookSecret: string };
  readonly appId: string;
  readonly installations: Readonly<Record<string, number>>;
  /** What an external autoscaler needs to know to be pointed here. */
  readonly notes: readonly string[];
}

const NOTES = [
  'Virtual time moves on POST /control/advance (express your own waits and schedules as advances) and, when the scenario sets a call latency (world.github/ec2.callLatencySeconds), by your own calls: a call made at virtual t answers at t + its drawn latency.',
  'The private-key parameter holds a base64-encoded PKCS#1 PEM (as the Terraform module stores it).',
  "Launch instances from a pool's launch template; the runner's agent reads its config from <runnerConfigPath>/<pool>/<instance-id> in SSM: a JIT config (encoded_jit_config) or config.sh arguments.",
  'AWS: any credentials; signatures are not verified, but an Authorization header must be present.',
  'After POST /control/reset the facades listen on new ports and the App has a new key: read the endpoints again.',
] as const;

function ownerLabel(pool: PoolSpec): string {
  const o = pool.owner;
  return o.kind === 'org' ? o.org : `${o.owner}/${o.repo}`;
}

/**
 * One served world: the scenario's workload and faults on a virtual clock that moves when
 * `advance` is called or an external call takes its latency, behind the HTTP facades, with as much of our control plane inside as asked.
 * Without our webhook, deliveries are recorded (signed) for an external receiver to fetch.
 */
export class ServeSession {
  private advancing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly sim: SimWorld,
    readonly stack: HttpStack,
  ) {}

  static async start(options: SessionOptions): Promise<ServeSession> {
    const sim = await buildWorld(options.scenario, {
      seed: options.seed,
      strategy: options.strategy,
      door: httpDoor(),
      hours: SERVE_HORIZON_HOURS,
      functions: options.functions,
    });
    const stack = sim.door.stack;
    if (stack === undefined) throw new Error('the HTTP door opened no facades');
    const session = new ServeSession(sim, stack);
    // An external caller's call takes the scenario's call latency; nobody else may move the clock
    // meanwhile (with none of ours inside, nobody would): the call moves it itself.
    stack.onExternalLatency((ms) => session.advanceTo(session.nowMs + ms));
    return session;
  }

  get world(): World {
    return this.sim.world;
  }

  get nowMs(): number {
    return this.world.now;
  }

  get elapsedSeconds(): number {
    return (this.world.now - this.world.startMs) / 1000;
  }

  /** Runs the world `seconds` of virtual time; advances are serialised. */
  advance(seconds: number): Promise<void> {
    return this.serialised(() => this.world.engine.run(this.world.now + seconds * 1000));
  }

  /**
   * Runs the world up to `atMs` unless it is there already, after any advance under way: an
   * external call that arrives at virtual `t` with latency `l` answers at `t + l` at the earliest,
   * and a call waiting on one that moves the clock further answers when it is done.
   */
  advanceTo(atMs: number): Promise<void> {
    return this.serialised(async () => {
      if (this.world.now < atMs) await this.world.engine.run(atMs);
    });
  }

  private serialised(step: () => Promise<void>): Promise<void> {
    const run = this.advancing.then(step);
    this.advancing = run.catch(() => {});
    return run;
  }

  /**
   * The run's accounting, with its API calls counted as the facades received them: the calls the
   * callers made (an external autoscaler's, App authentication included, and ours inside), not the
   * world's own reads behind a facade. Agents' calls are the world's and are not in these counts.
   */
  accounting(): Accounting {
    const full = account(this.sim);
    const { github, ec2, ssm, sqs } = this.stack;
    const githubByEndpoint = github.calls();
    const awsByAction = {
      ...prefixed('ec2', ec2.calls()),
      ...prefixed('ssm', ssm.calls()),
      ...prefixed('sqs', sqs.calls()),
    };
    const mutation = this.world.ctx.params.github.mutationPoints;
    const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    return {
      ...full,
      githubCalls: total(githubByEndpoint),
      awsCalls: total(awsByAction),
      githubCallsByEndpoint: Object.fromEntries(
        Object.entries(githubByEndpoint)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([endpoint, calls]) => [
            endpoint,
            { calls, points: endpoint.startsWith('GET ') ? calls : mutation * calls },
          ]),
      ),
      awsCallsByAction: Object.fromEntries(Object.entries(awsByAction).sort(([a], [b]) => a.localeCompare(b))),
    };
  }

  endpoints(): Endpoints {
    const { stack, world } = this;
    const installations = Object.fromEntries(world.github.installations());
    const root = stack.githubConfig.apiUrl;
    return {
      github: { root, ghes: `${root}/api/v3` },
      ec2: stack.ec2.url,
      ssm: stack.ssm.url,
      sqs: stack.sqs.url,
      region: SIM_REGION,
      pools: [...world.pools.values()].map((pool) => ({
        name: pool.name,
        owner: ownerLabel(pool),
        labels: pool.config.labels,
        queueUrl: pool.config.queueUrl,
        deadLetterQueueUrl: pool.config.deadLetterQueueUrl,
        registration: this.sim.configs.registration[pool.name] ?? 'jit',
        installationId:
          world.github.installationIdOf(pool.owner.kind === 'org' ? pool.owner.org : pool.owner.owner) ?? 0,
        launchTemplateName: pool.config.launchTemplateName,
        runnerConfigPath: SIM_RUNNER_CONFIG_PATH,
      })),
      parameters: { ...SIM_PARAMETERS },
      appId: SIM_APP_ID,
      installations,
      notes: NOTES,
    };
  }

  get deliveries(): readonly RecordedDelivery[] {
    return this.world.webhooks.recorded;
  }

  /** Deliveries after sequence number `after`. */
  deliveriesAfter(after: number): RecordedDelivery[] {
    return this.world.webhooks.recordedAfter(after);
  }

  async close(): Promise<void> {
    await this.advancing;
    await this.sim.close();
  }
}

function prefixed(service: string, counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([action, n]) => [`${service}:${action}`, n]));
}
