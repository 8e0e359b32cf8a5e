import { Engine, type Settle } from '../engine/engine.js';
import { EventLog } from '../engine/event-log.js';
import { RngStreams } from '../engine/rng.js';
import { CallCounters } from '../ports/counters.js';
import type { CallLatency } from '../ports/gate.js';
import type { RepoRef } from '../../ports/github.js';
import { WorldContext } from './context.js';
import { Ec2World } from './ec2.js';
import { GitHubRest } from './github-rest.js';
import { GitHubWorld } from './github.js';
import { HostModel } from './host.js';
import type { WorldParams } from './params.js';
import type { PoolSpec } from './pools.js';
import { ModelledScaleUp } from './scale-up.js';
import { SqsWorld } from './sqs.js';
import { SsmWorld } from './ssm.js';
import { InstallationTokens } from './tokens.js';
import type { Job } from './types.js';

export interface WorldOptions {
  readonly seed: number;
  readonly params: WorldParams;
  readonly environment: string;
  readonly pools: readonly PoolSpec[];
  /** Virtual epoch of the start (ms). */
  readonly startMs?: number;
  /** Keep event-log lines in memory (tests); the digest is always kept. */
  readonly keepLog?: boolean;
  readonly settle?: Settle;
}

export interface JobSpec {
  readonly repo: RepoRef;
  readonly labels: readonly string[];
  readonly pool?: string;
  readonly durationMs: number;
  readonly pinnedInstance?: string;
  readonly pinnedBusyLagMs?: number;
  readonly pinnedStale?: Job['pinnedStale'];
}

/** The whole world, wired: GitHub, EC2, SSM, SQS, the hosts, and the modelled scale-up. */
export class World {
  readonly engine: Engine;
  readonly ctx: WorldContext;
  readonly eventLog: EventLog;
  readonly github: GitHubWorld;
  readonly rest: GitHubRest;
  readonly ec2: Ec2World;
  readonly ssm: SsmWorld;
  readonly sqs: SqsWorld;
  readonly hosts: HostModel;
  readonly scaleUp: ModelledScaleUp;
  readonly counters: CallCounters;
  readonly tokens: InstallationTokens;
  readonly pools: ReadonlyMap<string, PoolSpec>;
  readonly startMs: number;
  /** The longest surplus idle stretch that ended, of instances whose agent lived (L1). */
  maxSurplusIdleMs = 0;
  /** The same for instances whose agent died silently: they wait for the backstop, by design. */
  maxSilentAgentIdleMs = 0;
  /** The longest life of an instance that never ran a runner (L2). */
  maxOrphanLifetimeMs = 0;
  /**
   * How a door's per-call latency waits on the virtual clock. The HTTP door wraps it to know that a
   * request in flight is parked on virtual time (sim/http/quiescence.ts); the in-process door keeps this.
   */
  latencySleep: (ms: number) => Promise<void> = (ms) => this.engine.clock.sleep(ms);
  private nextJobId = 1;

  constructor(readonly options: WorldOptions) {
    this.startMs = options.startMs ?? Date.UTC(2026, 0, 5, 0, 0, 0);
    this.engine = new Engine({ startMs: this.startMs, ...(options.settle ? { settle: options.settle } : {}) });
    this.eventLog = new EventLog(this.startMs, options.keepLog ?? false);
    this.ctx = new WorldContext(this.engine, new RngStreams(options.seed), options.params, this.eventLog);
    this.counters = new CallCounters(this.ctx);
    this.github = new GitHubWorld(this.ctx);
    this.tokens = new InstallationTokens(this.ctx);
    this.rest = new GitHubRest(this.ctx, this.github);
    this.ec2 = new Ec2World(this.ctx);
    this.ssm = new SsmWorld(this.ctx);
    this.sqs = new SqsWorld(this.ctx);
    this.hosts = new HostModel(this.ctx, this.github, this.ec2);
    this.pools = new Map(options.pools.map((pool) => [pool.name, pool]));
    for (const pool of options.pools) this.sqs.ensure(pool.config.queueUrl);
    this.scaleUp = new ModelledScaleUp(
      this.ctx,
      options.environment,
      this.pools,
      this.github,
      this.rest,
      this.ec2,
      this.hosts,
      this.counters,
    );
    this.github.hooks = {
      onAssigned: (registration, job) => this.hosts.assigned(registration, job),
      onDeleted: (registration) => this.hosts.deleted(registration),
      onWebhook: (delivery, job) => this.scaleUp.onWebhook(delivery, job),
    };
    this.ec2.hooks = {
      onTerminating: (instance, by) => {
        this.hosts.terminating(instance, by);
        this.scaleUp.onCapacityFreed(instance.pool);
      },
      onTagsChanged: (instance, keys, imdsVisibleMs) => this.hosts.tagsChanged(instance, keys, imdsVisibleMs),
    };
    this.hosts.hooks = {
      onRecycleRequest: (host) => this.scaleUp.onRecycleRequest(host),
      onSurplusIdleEnd: (host, surplusMs) => {
        if (host.agentAlive) this.maxSurplusIdleMs = Math.max(this.maxSurplusIdleMs, surplusMs);
        else this.maxSilentAgentIdleMs = Math.max(this.maxSilentAgentIdleMs, surplusMs);
      },
      onOrphanEnd: (_host, lifetimeMs) => {
        this.maxOrphanLifetimeMs = Math.max(this.maxOrphanLifetimeMs, lifetimeMs);
      },
    };
  }

  /** Per-call latency of a door (in-process ports draw it per call; zero costs no event). */
  latency(kind: 'github' | 'aws'): CallLatency {
    const range =
      kind === 'github' ? this.ctx.params.github.callLatencySeconds : this.ctx.params.ec2.callLatencySeconds;
    return {
      drawMs: () => (range[1] > 0 ? this.ctx.drawMs(`${kind}.latency`, range) : 0),
      sleep: (ms) => this.latencySleep(ms),
    };
  }

  get now(): number {
    return this.engine.now;
  }

  submitJob(spec: JobSpec): Job {
    const id = this.nextJobId++;
    const job: Job = {
      id,
      runId: 10_000 + id,
      repo: spec.repo,
      labels: [...spec.labels],
      pool: spec.pool,
      arrivalMs: this.now,
      durationMs: Math.max(1000, Math.round(spec.durationMs)),
      status: 'queued',
      ...(spec.pinnedInstance === undefined ? {} : { pinnedInstance: spec.pinnedInstance }),
      ...(spec.pinnedBusyLagMs === undefined ? {} : { pinnedBusyLagMs: spec.pinnedBusyLagMs }),
      ...(spec.pinnedStale === undefined ? {} : { pinnedStale: spec.pinnedStale }),
    };
    this.github.submit(job);
    return job;
  }
}
