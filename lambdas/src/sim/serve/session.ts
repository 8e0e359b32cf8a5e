import { TAG } from '../../core/tags.js';
import { ownerKey, type RunnerOwner } from '../../ports/github.js';
import { account, type Accounting } from '../accounting.js';
import { HttpDoor } from '../http/door.js';
import { signedEvent, workflowJobPayload } from '../http/delivery.js';
import type { LogSink } from '../http/logging.js';
import { Quiescence } from '../http/quiescence.js';
import { SIM_APP_ID, SIM_PARAMETERS, startHttpStack, type HttpStack } from '../http/stack.js';
import { buildScaleDownConfig, type StrategyEntry } from '../run.js';
import { scheduleFaults, scheduleWorkload } from '../scenarios/workload.js';
import type { Scenario } from '../scenarios/schema.js';
import { poolSpec, type RegistrationMode } from '../world/pools.js';
import type { WebhookDelivery } from '../world/github.js';
import type { Job } from '../world/types.js';
import { World } from '../world/world.js';

/**
 * How far ahead arrivals are scheduled. Poisson arrivals chain lazily, but periodic bursts are laid
 * out up to the horizon at once (scenarios/workload.ts), so it must be finite: 30 virtual days.
 */
export const SERVE_HORIZON_MS = 30 * 24 * 3_600_000;

/** stack.ts installs the App on the pool owners in sorted order from this id (FIRST_INSTALLATION there). */
const FIRST_INSTALLATION = 5001;

export interface SessionOptions {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly strategy: StrategyEntry;
  /** Run our webhook, scale-up and scale-down handlers inside, as the HTTP door does. */
  readonly withControlPlane: boolean;
  readonly log?: LogSink;
}

export interface PoolEndpoint {
  readonly name: string;
  readonly owner: string;
  readonly labels: readonly string[];
  readonly queueUrl: string;
  readonly registration: RegistrationMode;
  readonly installationId: number;
  /** Tags an instance needs at launch (CreateFleet/RunInstances) to boot as this pool's runner in the world. */
  readonly launchTags: Readonly<Record<string, string>>;
  readonly launchTemplateName: string;
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
  'Virtual time moves only on POST /control/advance: express your own waits and schedules as advances.',
  'The private-key parameter holds a base64-encoded PKCS#1 PEM (as the Terraform module stores it).',
  "Launch instances with a pool's launchTags; a JIT config must name its runner after the instance id.",
  'AWS: any credentials; signatures are not verified, but an Authorization header must be present.',
  'After POST /control/reset the facades listen on new ports and the App has a new key: read the endpoints again.',
] as const;

/** A signed `workflow_job` delivery, as GitHub would POST it to the autoscaler's webhook. */
export interface RecordedDelivery {
  readonly seq: number;
  readonly atMs: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

function ownerLabel(owner: RunnerOwner): string {
  return owner.kind === 'org' ? owner.org : `${owner.owner}/${owner.repo}`;
}

/**
 * One served world: the scenario's workload and faults on a virtual clock that moves only when
 * `advance` is called, behind the HTTP facades. Without our control plane, webhooks are recorded
 * (signed) for an external autoscaler to fetch, and the world's agent recycle requests go nowhere
 * but the pool queues are still there to be used.
 */
export class ServeSession {
  readonly deliveries: RecordedDelivery[] = [];
  private door: HttpDoor | undefined;
  private advancing: Promise<void> = Promise.resolve();

  private constructor(
    readonly world: World,
    readonly stack: HttpStack,
    private readonly options: SessionOptions,
    private readonly registration: ReadonlyMap<string, RegistrationMode>,
  ) {}

  static async start(options: SessionOptions): Promise<ServeSession> {
    const { scenario, seed, strategy, withControlPlane } = options;
    const config = buildScaleDownConfig(scenario, strategy.strategy.name);
    const registration = new Map<string, RegistrationMode>();
    const pools = Object.entries(scenario.pools).map(([name, pool]) => {
      // Our handlers issue JIT configs (http/run.ts). An external autoscaler gets the scenario's mode,
      // else JIT for ephemeral pools and a long-lived registration (the upstream module's) for reusable ones.
      const mode: RegistrationMode = withControlPlane
        ? 'jit'
        : pool.registration !== 'strategy'
          ? pool.registration
          : config.pools[name]!.ephemeral
            ? 'jit'
            : 'token';
      registration.set(name, mode);
      return poolSpec(name, config.pools[name]!, mode);
    });
    const quiescence = new Quiescence();
    const world = new World({
      seed,
      params: scenario.world,
      environment: scenario.environment,
      pools,
      settle: quiescence.settle,
    });
    const stack = await startHttpStack(world, quiescence);
    const session = new ServeSession(world, stack, options, registration);
    const horizonMs = world.startMs + SERVE_HORIZON_MS;
    if (withControlPlane) {
      const door = new HttpDoor({
        world,
        stack,
        quiescence,
        config,
        strategy: strategy.strategy,
        sink: options.log ?? (() => {}),
      });
      const everyMs = scenario.scaleDown.everyMinutes * 60_000;
      const firstAtMs = world.startMs + (scenario.scaleDown.firstAtMinute ?? scenario.scaleDown.everyMinutes) * 60_000;
      door.attach({ firstAtMs, everyMs }, horizonMs);
      session.door = door;
    } else {
      // External callers are not parked on virtual time: a facade call outside `advance` would
      // otherwise wait for a clock nobody moves. Calls take zero virtual time here.
      world.latencySleep = () => Promise.resolve();
      world.github.hooks = { ...world.github.hooks, onWebhook: (delivery, job) => session.record(delivery, job) };
      world.hosts.hooks = { ...world.hosts.hooks, onRecycleRequest: () => {} };
    }
    for (const pool of pools) {
      for (let i = 0; i < (scenario.pools[pool.name]?.prelaunch ?? 0); i++) world.scaleUp.launch(pool);
    }
    scheduleWorkload(world, scenario, horizonMs);
    scheduleFaults(world, scenario);
    return session;
  }

  get nowMs(): number {
    return this.world.now;
  }

  get elapsedSeconds(): number {
    return (this.world.now - this.world.startMs) / 1000;
  }

  /** Runs the world `seconds` of virtual time; advances are serialised. */
  advance(seconds: number): Promise<void> {
    const run = this.advancing.then(() => this.world.engine.run(this.world.now + seconds * 1000));
    this.advancing = run.catch(() => {});
    return run;
  }

  accounting(): Accounting {
    return account(this.world, this.door?.reports ?? [], this.options.scenario.scaleDown.everyMinutes);
  }

  endpoints(): Endpoints {
    const { stack, world } = this;
    const owners = [...new Set([...world.pools.values()].map((pool) => ownerKey(pool.owner)))].sort();
    const installations = Object.fromEntries(owners.map((owner, index) => [owner, FIRST_INSTALLATION + index]));
    const root = stack.githubConfig.apiUrl;
    return {
      github: { root, ghes: `${root}/api/v3` },
      ec2: stack.ec2.url,
      ssm: stack.ssm.url,
      sqs: stack.sqs.url,
      region: 'eu-west-1',
      pools: [...world.pools.values()].map((pool) => ({
        name: pool.name,
        owner: ownerLabel(pool.owner),
        labels: pool.config.labels,
        queueUrl: pool.config.queueUrl,
        registration: this.registration.get(pool.name) ?? pool.registration,
        installationId: installations[ownerKey(pool.owner)] ?? FIRST_INSTALLATION,
        launchTags: { [TAG.pool]: pool.name, [TAG.environment]: this.options.scenario.environment },
        launchTemplateName: pool.config.launchTemplateName,
      })),
      parameters: { ...SIM_PARAMETERS },
      appId: SIM_APP_ID,
      installations,
      notes: NOTES,
    };
  }

  /** Deliveries after sequence number `after`. */
  deliveriesAfter(after: number): RecordedDelivery[] {
    return this.deliveries.filter((d) => d.seq > after);
  }

  async close(): Promise<void> {
    await this.advancing;
    await this.stack.close();
  }

  private record(delivery: WebhookDelivery, job: Job): void {
    const secret = this.world.ssm.get(SIM_PARAMETERS.webhookSecret).value;
    const seq = this.deliveries.length + 1;
    // GitHub App webhooks carry the installation they were sent for.
    const pool = job.pool === undefined ? undefined : this.world.pools.get(job.pool);
    const installation = pool ? this.endpoints().installations[ownerKey(pool.owner)] : undefined;
    const body = workflowJobPayload(delivery, job, installation);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(signedEvent(body, secret, `delivery-${seq}`).headers ?? {})) {
      if (value !== undefined) headers[key] = value;
    }
    this.deliveries.push({ seq, atMs: this.world.now, headers, body });
  }
}
