import { TAG, type AgentState } from '../../core/tags.js';
import type { QueuedEvent } from '../engine/queue.js';
import { AgentModel, type AgentCounters, type AgentMemory } from './agent.js';
import { drawBoot } from './boot.js';
import type { WorldContext } from './context.js';
import type { Ec2World, TerminatedBy } from './ec2.js';
import type { GitHubWorld } from './github.js';
import type { PoolSpec } from './pools.js';
import { jitRunnerId, tokenRegistration } from './runner-config.js';
import type { SqsWorld } from './sqs.js';
import type { SsmWorld } from './ssm.js';
import type { Instance, Job, KillCause, Registration } from './types.js';

/** The runner and our agent on one instance (world-model.md, "The runner on an instance"). */
export interface Host {
  readonly instance: Instance;
  readonly pool: PoolSpec;
  registration?: Registration;
  runnerAlive: boolean;
  job?: Job;
  jobEvent?: QueuedEvent;
  /** A worker process runs (the job was received and started): what the agent can see. */
  workerRunning?: boolean;
  readonly agent: AgentMemory;
  idleSinceMs: number;
  /** Since when no runner process runs here (launch, or the last exit); undefined while one runs. */
  offlineSinceMs?: number;
  /** When scale-down last gave the instance back to its pool for a waiting job (its mark removed). */
  givenBackMs?: number;
  /** A job on it is an attacker (sim/world/hostile): it forges the agent's tag and never shuts down. */
  hostile?: boolean;
}

/** What the accounting learns from the hosts. */
export interface HostObserver {
  /** An online instance with no job went: how long it had been surplus (idle and past minimum running time). */
  onSurplusIdleEnd(host: Host, surplusMs: number): void;
  /** An instance that never ran a runner went (an orphan): how long it lived, and who ended it. */
  onOrphanEnd(host: Host, lifetimeMs: number, by: TerminatedBy): void;
  /** EC2 warned of a spot reclaim (EventBridge delivers the warning to whatever subscribed). */
  onSpotWarning?(instance: Instance): void;
}

export interface HostModelOptions {
  readonly ctx: WorldContext;
  readonly github: GitHubWorld;
  readonly ec2: Ec2World;
  readonly ssm: SsmWorld;
  readonly sqs: SqsWorld;
  readonly runnerConfigPath: string;
  readonly counters: AgentCounters;
  /** The agents ask for their next registration once a job runs (AgentModel). */
  readonly asksAhead: boolean;
  readonly observer: HostObserver;
  /** What a hostile job writes instead of the agent's state (sim/world/hostile). */
  readonly forge?: (host: Host, honest: string) => string | undefined;
}

/** Every instance's runner and agent: boot, registration from the runner config, jobs, exits. */
export class HostModel {
  readonly hosts = new Map<string, Host>();
  readonly agent: AgentModel;
  private readonly ctx: WorldContext;
  private readonly github: GitHubWorld;
  private readonly ec2: Ec2World;

  constructor(private readonly options: HostModelOptions) {
    this.ctx = options.ctx;
    this.github = options.github;
    this.ec2 = options.ec2;
    this.agent = new AgentModel(
      options.ctx,
      options.ec2,
      options.ssm,
      options.sqs,
      options.runnerConfigPath,
      options.counters,
      {
        startRunner: (host, config) => this.startRunner(host, config),
        shutdown: (host) => this.shutdown(host),
        observe: (host) => this.observedState(host),
        forge: (host, honest) => options.forge?.(host, honest),
      },
      options.asksAhead,
    );
  }

  /** A launched instance boots; its agent then looks for its runner config. */
  add(instance: Instance, pool: PoolSpec): Host {
    const host: Host = {
      instance,
      pool,
      runnerAlive: false,
      agent: { alive: false, writing: false, afterWrite: [], lastConfigMarkMs: 0 },
      idleSinceMs: this.ctx.now,
      offlineSinceMs: this.ctx.now,
    };
    this.hosts.set(instance.id, host);
    const r = this.ctx.params.runner;
    instance.bootFailed = this.ctx.rng('ec2.bootFailure').chance(this.ctx.params.ec2.bootFailureRate);
    instance.boot = drawBoot(this.ctx);
    this.ctx.engine.after(instance.boot.totalMs, 'boot', () => this.boot(host));
    this.scheduleSpot(instance);
    if (this.ctx.rng('agent.death').chance(r.agentDeathChance)) {
      const at = Math.round(this.ctx.rng('agent.death').uniform(0, 4 * 3_600_000));
      this.ctx.engine.after(at, 'agent-death', () => this.agent.kill(host));
    }
    return host;
  }

  /** Spot interruptions (world-model.md: off by default): a 2-minute warning, then termination. */
  private scheduleSpot(instance: Instance): void {
    const rate = this.ctx.params.ec2.spotInterruptionsPerHour;
    if (instance.lifecycle !== 'spot' || rate <= 0) return;
    const atMs = Math.round(this.ctx.rng('ec2.spot').exponential(rate) * 3_600_000);
    this.ctx.engine.after(atMs, 'spot-warning', () => {
      if (instance.state !== 'pending' && instance.state !== 'running') return;
      this.ctx.record('ec2.spotWarning', { instance: instance.id });
      this.options.observer.onSpotWarning?.(instance);
      this.ctx.engine.after(this.ctx.params.ec2.spotWarningSeconds * 1000, 'spot', () =>
        this.ec2.terminate(instance, 'spot'),
      );
    });
  }

  private gone(host: Host): boolean {
    return host.instance.state === 'shutting-down' || host.instance.state === 'terminated';
  }

  private boot(host: Host): void {
    if (this.gone(host)) return;
    host.instance.state = 'running';
    if (host.instance.bootFailed) {
      this.ctx.record('host.bootFailed', { instance: host.instance.id });
      return;
    }
    // Where the runner came from and how long the boot took (issue 15), for the report and accounting.
    const boot = host.instance.boot;
    this.ctx.record('host.booted', { instance: host.instance.id, source: boot?.source, ms: boot?.totalMs });
    this.agent.boot(host);
  }

  /** The registration a config value stands for: a JIT one GitHub issued, or a token registration made now. */
  private registrationFor(host: Host, config: string): Registration | undefined {
    const runnerId = jitRunnerId(config);
    if (runnerId !== undefined) {
      const registration = this.github.registrations.get(runnerId);
      const usable = registration?.jit && !registration.online && !registration.consumed && !registration.deleted;
      return usable && registration.instanceId === host.instance.id ? registration : undefined;
    }
    const token = tokenRegistration(config);
    if (token === undefined || !this.github.tokenValid(token.token)) return undefined;
    const registration = this.github.register({
      owner: host.pool.owner,
      name: token.name,
      customLabels: token.labels,
      groupId: this.github.groupIdByName(host.pool.owner, token.runnerGroup) ?? host.pool.config.runnerGroupId,
      jit: false,
      ephemeral: token.ephemeral,
      instanceId: host.instance.id,
    });
    return registration;
  }

  /** run.sh with the config: the runner comes online with its registration. */
  startRunner(host: Host, config: string): boolean {
    if (this.gone(host)) return false;
    const registration = this.registrationFor(host, config);
    if (!registration) return false;
    host.registration = registration;
    host.runnerAlive = true;
    delete host.offlineSinceMs;
    host.idleSinceMs = this.ctx.now;
    host.instance.everOnline = true;
    this.github.setOnline(registration, true);
    if (host.agent.alive) this.agent.notice(host);
    return true;
  }

  /** GitHub assigned a job: the listener receives it, the worker starts, the agent notices. */
  assigned(registration: Registration, job: Job): void {
    const host = this.hosts.get(registration.instanceId);
    if (!host || !host.runnerAlive) return;
    host.job = job;
    const r = this.ctx.params.runner;
    const startMs =
      this.ctx.drawMs('runner.receive', this.ctx.params.github.receiveSeconds) +
      this.ctx.drawMs('runner.spawn', r.workerSpawnSeconds);
    host.jobEvent = this.ctx.engine.after(startMs, 'worker', () => {
      this.github.markRunning(job);
      this.ctx.record('job.running', { job: job.id, instance: host.instance.id });
      host.workerRunning = true;
      if (host.agent.alive) this.agent.notice(host);
      host.jobEvent = this.ctx.engine.after(job.durationMs, 'job-end', () => this.complete(host, job));
    });
  }

  private complete(host: Host, job: Job): void {
    this.github.finish(job);
    delete host.job;
    delete host.jobEvent;
    delete host.workerRunning;
    host.idleSinceMs = this.ctx.now;
    const registration = host.registration;
    if (registration?.jit || registration?.ephemeral) {
      // A one-job runner exits after its job; its registration is gone for good.
      this.github.forget(registration);
      this.runnerGone(host);
      return;
    }
    if (host.agent.alive) this.agent.notice(host);
    if (registration) this.github.matchRunner(registration);
  }

  private runnerGone(host: Host): void {
    delete host.registration;
    host.runnerAlive = false;
    host.offlineSinceMs = this.ctx.now;
    if (host.agent.alive) this.agent.runnerExited(host);
  }

  /** The registration was deleted: a busy listener cancels its job, an idle one exits (≤ one poll). */
  deleted(registration: Registration): void {
    const host = this.hosts.get(registration.instanceId);
    if (!host || !host.runnerAlive || host.registration !== registration) return;
    const g = this.ctx.params.github;
    const busy = host.job !== undefined;
    const delay = this.ctx.drawMs('runner.deleteNotice', busy ? g.deleteNoticeSeconds : g.idleExitSeconds);
    this.ctx.engine.after(delay, 'listener-exit', () => {
      if (!host.runnerAlive || host.registration !== registration) return;
      if (host.job) this.killJob(host, 'delete');
      this.github.setOnline(registration, false);
      this.github.forget(registration);
      this.runnerGone(host);
    });
  }

  private killJob(host: Host, cause: KillCause): void {
    const job = host.job;
    if (!job) return;
    this.ctx.engine.cancel(host.jobEvent);
    this.github.finish(job, cause);
    delete host.job;
    delete host.jobEvent;
    delete host.workerRunning;
  }

  /** Instance-initiated shutdown (behaviour terminate); never while a worker runs (agent/README.md). */
  shutdown(host: Host): void {
    // Root on the instance keeps it up: only the control plane's bounds end a hostile instance.
    if (host.workerRunning || host.hostile) return;
    this.ec2.terminate(host.instance, 'self');
  }

  /** TerminateInstances, shutdown or spot: the runner and any job die at once. */
  terminating(instance: Instance, by: TerminatedBy): void {
    const host = this.hosts.get(instance.id);
    if (!host) return;
    if (!host.job && host.instance.everOnline && by !== 'spot') {
      this.options.observer.onSurplusIdleEnd(host, this.ctx.now - this.surplusSinceMs(host));
    }
    if (!host.instance.everOnline && by !== 'spot') {
      this.options.observer.onOrphanEnd(host, this.ctx.now - instance.launchMs, by);
    }
    this.killJob(host, by === 'control-plane' ? 'terminate' : by === 'spot' ? 'spot' : 'agent');
    const registration = host.registration;
    if (registration) {
      this.github.setOnline(registration, false);
      if (registration.consumed) this.github.forget(registration);
    }
    host.runnerAlive = false;
    this.agent.stop(host);
  }

  /**
   * When an idle instance became surplus (architecture.md §4, L1): idle, and past its pool's
   * minimum running time. Pools here keep no idle quota unless their config says so.
   */
  surplusSinceMs(host: Host): number {
    const minimumMs = host.pool.config.minimumRunningTimeMinutes * 60_000;
    // Given back for a job that waited, it was not surplus then: L1 counts from there (docs/safety.md).
    return Math.max(host.idleSinceMs, host.instance.launchMs + minimumMs, host.givenBackMs ?? 0);
  }

  killAgent(host: Host): void {
    this.agent.kill(host);
  }

  tagsChanged(instance: Instance, keys: readonly string[], imdsVisibleMs: number): void {
    const host = this.hosts.get(instance.id);
    if (!host) return;
    if (keys.includes(TAG.lifecycle) && !instance.truth.has(TAG.lifecycle)) host.givenBackMs = this.ctx.now;
    this.agent.tagsChanged(host, keys, imdsVisibleMs);
  }

  /** What the agent observes: a worker (busy), a runner (idle), or nothing (exited). */
  private observedState(host: Host): AgentState {
    const atMs = this.ctx.now;
    if (host.workerRunning && host.job) return { state: 'busy', jobId: String(host.job.id), atMs };
    return host.runnerAlive ? { state: 'idle', atMs } : { state: 'exited', atMs };
  }
}
