import { Engine, type Settle } from '../engine/engine.js';
import { EventLog } from '../engine/event-log.js';
import { RngStreams } from '../engine/rng.js';
import { CallCounters } from '../ports/counters.js';
import type { CallLatency } from '../ports/gate.js';
import type { RepoRef } from '../../ports/github.js';
import { TAG } from '../../core/tags.js';
import { WorldContext } from './context.js';
import { Ec2World } from './ec2.js';
import { GitHubRest } from './github-rest.js';
import { GitHubWorld } from './github.js';
import { MarkedDemandWatch } from './marked-demand.js';
import { HostModel } from './host.js';
import { HostileModel, type RunnerRoleSettings } from './hostile/model.js';
import { LambdaService } from './lambda/service.js';
import { Ec2EventRules, EventSourceMappings, Schedules } from './lambda/triggers.js';
import type { WorldParams } from './params.js';
import type { PoolSpec } from './pools.js';
import { SqsWorld } from './sqs.js';
import { SsmWorld } from './ssm.js';
import { InstallationTokens } from './tokens.js';
import type { Job } from './types.js';
import { WebhookEndpoint } from './webhooks.js';

/** The pool queues as the Terraform module configures them (modules/webhook/queues.tf). */
export interface QueueSettings {
  readonly visibilityTimeoutSeconds: number;
  /** Receives before SQS moves a message to the dead-letter queue. */
  readonly maxReceiveCount: number;
}

/** modules/webhook: visibility six times scale-up's 60 s timeout, the DLQ after 3 receives. */
export const MODULE_QUEUE: QueueSettings = { visibilityTimeoutSeconds: 360, maxReceiveCount: 3 };

export interface WorldOptions {
  readonly seed: number;
  readonly params: WorldParams;
  readonly environment: string;
  readonly pools: readonly PoolSpec[];
  /** Where scale-up stores runner configs and each agent fetches its own (`<path>/<pool>/<instance-id>`). */
  readonly runnerConfigPath: string;
  /** The SSM parameter holding the GitHub App's webhook secret (GitHub signs deliveries with it). */
  readonly webhookSecretParameter: string;
  /** Accounts that are organizations (besides every org pool's owner). */
  readonly organizations?: readonly string[];
  readonly queue?: QueueSettings;
  /** Virtual epoch of the start (ms). */
  readonly startMs?: number;
  /** Keep event-log lines in memory (tests); the digest is always kept. */
  readonly keepLog?: boolean;
  readonly settle?: Settle;
  /** What the runner role is rendered from (the hostile-runner scenario's IAM checks). */
  readonly runnerRole?: RunnerRoleSettings;
  /**
   * Agents ask for their next registration once a job runs (agent/ghr-agent.sh, `ask_ahead`); a
   * baseline's world says no: the upstream module's runners never do (default: yes).
   */
  readonly agentsAskAhead?: boolean;
}

export interface JobSpec {
  readonly repo: RepoRef;
  readonly labels: readonly string[];
  readonly pool?: string;
  readonly durationMs: number;
  readonly pinnedInstance?: string;
  readonly pinnedBusyLagMs?: number;
  readonly pinnedStale?: Job['pinnedStale'];
  /** A re-run: the run it belongs to and its attempt (GitHub keeps the run id). */
  readonly rerun?: { readonly runId: number; readonly runAttempt: number };
}

/** The runner role's inputs when the caller names none: the fleet's path is the config path's first segment. */
function defaultRunnerRole(options: WorldOptions): RunnerRoleSettings {
  const root = `/${options.runnerConfigPath.split('/').filter((p) => p.length > 0)[0] ?? ''}`;
  return {
    instanceArnPrefix: 'arn:aws:ec2:eu-west-1:123456789012:instance/',
    fleetParameterPath: root,
    githubParameters: [options.webhookSecretParameter],
  };
}

/**
 * The whole world and nothing but the world (world-model.md): GitHub (with the App's webhook
 * endpoint), EC2 (with the pools' launch templates), SSM, SQS (with redrive), Lambda (functions,
 * event source mappings, schedules), and each instance's runner and agent. The control plane is not
 * in it: a door deploys the real code of its functions into `lambda` (sim/doors).
 */
export class World {
  readonly engine: Engine;
  readonly ctx: WorldContext;
  readonly eventLog: EventLog;
  readonly github: GitHubWorld;
  readonly rest: GitHubRest;
  readonly ec2: Ec2World;
  readonly ssm: SsmWorld;
  readonly sqs: SqsWorld;
  readonly lambda: LambdaService;
  readonly queues: EventSourceMappings;
  readonly schedules: Schedules;
  readonly ec2Events: Ec2EventRules;
  readonly webhooks: WebhookEndpoint;
  readonly hosts: HostModel;
  readonly counters: CallCounters;
  readonly tokens: InstallationTokens;
  readonly pools: ReadonlyMap<string, PoolSpec>;
  readonly startMs: number;
  /** The attackers of an adversarial scenario (`world.hostile`), absent otherwise. */
  readonly hostile?: HostileModel;
  /** The longest surplus idle stretch that ended, of instances whose agent lived (L1). */
  maxSurplusIdleMs = 0;
  /** The same for instances whose agent died silently: they wait for the backstop, by design. */
  maxSilentAgentIdleMs = 0;
  /** The longest life of an instance that never ran a runner (L2). */
  maxOrphanLifetimeMs = 0;
  /** Instances that never ran a runner, terminated by whatever control plane runs (ours or a caller's). */
  orphansReaped = 0;
  /** L3: how long a marked instance that could serve waiting demand stayed marked. */
  readonly markedDemand: MarkedDemandWatch;
  private latencySleep: (ms: number) => Promise<void>;
  private nextJobId = 1;

  constructor(readonly options: WorldOptions) {
    this.startMs = options.startMs ?? Date.UTC(2026, 0, 5, 0, 0, 0);
    this.engine = new Engine({ startMs: this.startMs, ...(options.settle ? { settle: options.settle } : {}) });
    this.latencySleep = (ms) => this.engine.clock.sleep(ms);
    this.eventLog = new EventLog(this.startMs, options.keepLog ?? false);
    this.ctx = new WorldContext(this.engine, new RngStreams(options.seed), options.params, this.eventLog);
    this.counters = new CallCounters(this.ctx);
    this.github = new GitHubWorld(this.ctx);
    this.tokens = new InstallationTokens(this.ctx);
    this.rest = new GitHubRest(this.ctx, this.github);
    this.rest.queueRerun = (job) => void this.rerunJob(job);
    this.ec2 = new Ec2World(this.ctx);
    this.ssm = new SsmWorld(this.ctx);
    this.sqs = new SqsWorld(this.ctx);
    this.lambda = new LambdaService(this.ctx, this.startMs);
    const countAws = (action: string): void => this.counters.awsCall(action);
    this.queues = new EventSourceMappings(this.ctx, this.sqs, this.lambda, countAws);
    this.schedules = new Schedules(this.ctx, this.lambda);
    this.ec2Events = new Ec2EventRules(this.ctx, this.lambda, '123456789012', 'eu-west-1');
    this.webhooks = new WebhookEndpoint(this.ctx, this.github, this.ssm, this.lambda, options.webhookSecretParameter);
    this.pools = new Map(options.pools.map((pool) => [pool.name, pool]));
    this.hosts = new HostModel({
      ctx: this.ctx,
      github: this.github,
      ec2: this.ec2,
      ssm: this.ssm,
      sqs: this.sqs,
      runnerConfigPath: options.runnerConfigPath,
      counters: this.counters,
      asksAhead: options.agentsAskAhead ?? true,
      forge: (host, honest) => this.hostile?.forge(host, honest),
      observer: {
        onSurplusIdleEnd: (host, surplusMs) => {
          // A liar is no surplus the protocol could see: the hard bound is what ends it.
          if (host.hostile) return;
          if (host.agent.alive) this.maxSurplusIdleMs = Math.max(this.maxSurplusIdleMs, surplusMs);
          else this.maxSilentAgentIdleMs = Math.max(this.maxSilentAgentIdleMs, surplusMs);
        },
        onSpotWarning: (instance) => this.ec2Events.spotWarning(instance.id),
        onOrphanEnd: (_host, lifetimeMs, by) => {
          this.maxOrphanLifetimeMs = Math.max(this.maxOrphanLifetimeMs, lifetimeMs);
          if (by === 'control-plane') this.orphansReaped++;
        },
      },
    });
    this.markedDemand = new MarkedDemandWatch(this.ec2, this.hosts, this.sqs);
    this.engine.onAdvance = (fromMs, toMs) => this.markedDemand.advance(fromMs, toMs);
    this.github.hooks = {
      onAssigned: (registration, job) => this.hosts.assigned(registration, job),
      onDeleted: (registration) => this.hosts.deleted(registration),
      onWebhook: (delivery, job) => this.webhooks.deliver(delivery, job),
      onRegistered: (registration) => this.hostile?.registered(registration),
    };
    this.ec2.hooks = {
      onLaunched: (instance) => {
        const pool = this.pools.get(instance.pool);
        if (pool === undefined) return;
        const host = this.hosts.add(instance, pool);
        this.hostile?.launched(host);
      },
      onTerminating: (instance, by) => this.hosts.terminating(instance, by),
      onTagsChanged: (instance, keys, imdsVisibleMs) => this.hosts.tagsChanged(instance, keys, imdsVisibleMs),
    };
    if (options.params.hostile !== undefined) {
      this.hostile = new HostileModel({
        ctx: this.ctx,
        params: options.params.hostile,
        environment: options.environment,
        ec2: this.ec2,
        ssm: this.ssm,
        sqs: this.sqs,
        github: this.github,
        pools: this.pools,
        runnerConfigPath: options.runnerConfigPath,
        role: options.runnerRole ?? defaultRunnerRole(options),
        awsCall: (action) => this.counters.awsCall(action),
        // Due a registration: waiting after its exit, or a job runs on it (its registration is
        // consumed; its agent asks for the next one as soon as its `busy` is on the tag).
        waitingForRegistration: (id) => {
          const host = this.hosts.hosts.get(id);
          return host?.agent.recycle !== undefined || host?.job !== undefined;
        },
      });
    }
    const queue = options.queue ?? MODULE_QUEUE;
    const accounts = new Set<string>(options.organizations ?? []);
    for (const pool of options.pools) {
      const c = pool.config;
      const redrive = { deadLetterQueueUrl: c.deadLetterQueueUrl, maxReceiveCount: queue.maxReceiveCount };
      this.sqs.ensure(c.queueUrl, {
        arn: c.queueArn,
        visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds,
        redrive,
      });
      if (c.recycleQueueUrl !== undefined) {
        this.sqs.ensure(c.recycleQueueUrl, {
          ...(c.recycleQueueArn === undefined ? {} : { arn: c.recycleQueueArn }),
          visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds,
          redrive,
        });
      }
      // EC2 copies a launch template's tags to the instances it launches.
      this.ec2.launchTemplates.set(c.launchTemplateName, {
        pool: pool.name,
        tags: {
          [TAG.environment]: options.environment,
          [TAG.application]: 'github-action-runner',
          [TAG.owner]: c.owner,
          [TAG.type]: c.ownerType === 'org' ? 'Org' : 'Repo',
          [TAG.pool]: pool.name,
        },
      });
      if (pool.owner.kind === 'org') accounts.add(pool.owner.org);
    }
    for (const login of accounts) this.github.organizations.add(login);
    this.github.install(options.pools.map((p) => (p.owner.kind === 'org' ? p.owner.org : p.owner.owner)));
  }

  /** Per-call latency of a door (drawn per call; zero costs no event). */
  latency(kind: 'github' | 'aws'): CallLatency {
    const range =
      kind === 'github' ? this.ctx.params.github.callLatencySeconds : this.ctx.params.ec2.callLatencySeconds;
    return {
      drawMs: () => (range[1] > 0 ? this.ctx.drawMs(`${kind}.latency`, range) : 0),
      sleep: (ms) => this.latencySleep(ms),
    };
  }

  /**
   * How a call's latency waits: the HTTP door marks such a wait as parked on virtual time
   * (sim/http/quiescence.ts); an external caller's call moves the clock itself (`--serve`).
   */
  setLatencySleep(wrap: (inner: (ms: number) => Promise<void>) => (ms: number) => Promise<void>): void {
    this.latencySleep = wrap(this.latencySleep);
  }

  get now(): number {
    return this.engine.now;
  }

  /** GitHub's "re-run a job": its next attempt is a new job, queued like any other. */
  rerunJob(job: Job): Job {
    const attempt = this.submitJob({
      repo: job.repo,
      labels: job.labels,
      ...(job.pool === undefined ? {} : { pool: job.pool }),
      durationMs: job.durationMs,
      rerun: { runId: job.runId, runAttempt: (job.runAttempt ?? 1) + 1 },
    });
    attempt.rerunOf = job.id;
    job.rerunAs = attempt.id;
    this.ctx.record('job.rerun', { job: job.id, as: attempt.id });
    return attempt;
  }

  submitJob(spec: JobSpec): Job {
    const id = this.nextJobId++;
    const owner = spec.repo.owner;
    const job: Job = {
      id,
      runId: spec.rerun?.runId ?? 10_000 + id,
      ...(spec.rerun === undefined ? {} : { runAttempt: spec.rerun.runAttempt }),
      repo: spec.repo,
      repoId: this.github.repoId(spec.repo),
      repoOwnerId: this.github.accountId(owner),
      repoOwnerType: this.github.organizations.has(owner) ? 'Organization' : 'User',
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
