import { TAG, decodeLifecycle, encodeAgentState, type AgentState } from '../../core/tags.js';
import type { QueuedEvent } from '../engine/queue.js';
import type { WorldContext } from './context.js';
import type { Ec2World, TerminatedBy } from './ec2.js';
import type { GitHubWorld } from './github.js';
import type { PoolSpec } from './pools.js';
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
  agentAlive: boolean;
  agentState: AgentState;
  writing: boolean;
  ackMarkMs?: number;
  idleSinceMs: number;
  /** Since when no runner process runs here (launch, or the last exit); undefined while one runs. */
  offlineSinceMs?: number;
}

/** Hooks out of the host: a reusable JIT instance asks the (modelled) scale-up for a new registration. */
export interface HostHooks {
  onRecycleRequest(host: Host): void;
  /** An online instance with no job went: how long it had been surplus (idle and past minimum running time). */
  onSurplusIdleEnd(host: Host, surplusMs: number): void;
  /** An instance that never ran a runner went (an orphan): how long it lived. */
  onOrphanEnd(host: Host, lifetimeMs: number): void;
  /** The agent started the runner with a config (the HTTP door: it read and deleted the config parameter). */
  onRunnerStarted?(host: Host): void;
}

export class HostModel {
  readonly hosts = new Map<string, Host>();
  hooks: HostHooks = { onRecycleRequest() {}, onSurplusIdleEnd() {}, onOrphanEnd() {} };

  constructor(
    private readonly ctx: WorldContext,
    private readonly github: GitHubWorld,
    private readonly ec2: Ec2World,
  ) {}

  /** A launched instance boots; its runner comes online unless the boot fails. */
  add(instance: Instance, pool: PoolSpec): Host {
    const host: Host = {
      instance,
      pool,
      runnerAlive: false,
      agentAlive: false,
      agentState: { state: 'idle', atMs: this.ctx.now },
      writing: false,
      idleSinceMs: this.ctx.now,
      offlineSinceMs: this.ctx.now,
    };
    this.hosts.set(instance.id, host);
    const r = this.ctx.params.runner;
    instance.bootFailed = this.ctx.rng('ec2.bootFailure').chance(this.ctx.params.ec2.bootFailureRate);
    this.ctx.engine.after(this.ctx.drawMs('ec2.boot', this.ctx.params.ec2.bootSeconds), 'boot', () => this.boot(host));
    this.scheduleSpot(instance);
    if (this.ctx.rng('agent.death').chance(r.agentDeathChance)) {
      const at = Math.round(this.ctx.rng('agent.death').uniform(0, 4 * 3_600_000));
      this.ctx.engine.after(at, 'agent-death', () => this.killAgent(host));
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
    host.agentAlive = true;
    this.setAgentState(host, { state: 'idle', atMs: this.ctx.now });
    this.startRunner(host);
  }

  /** Starts the runner with its JIT config, or registers it with a token (`--no-default-labels`). */
  startRunner(host: Host): void {
    if (this.gone(host)) return;
    const { pool, instance } = host;
    let registration: Registration | undefined;
    if (pool.registration === 'token') {
      registration = this.github.register({
        owner: pool.owner,
        name: instance.id,
        customLabels: pool.config.labels,
        groupId: pool.config.runnerGroupId,
        jit: false,
        instanceId: instance.id,
      });
      this.ec2.writeTags(instance, { [TAG.runnerId]: String(registration.id) }, 'runner');
    } else {
      for (const candidate of this.github.registrations.values()) {
        if (
          candidate.instanceId === instance.id &&
          candidate.jit &&
          !candidate.online &&
          !candidate.consumed &&
          !candidate.deleted
        ) {
          registration = candidate;
        }
      }
    }
    if (!registration) {
      this.ctx.record('host.noConfig', { instance: instance.id });
      return;
    }
    host.registration = registration;
    host.runnerAlive = true;
    delete host.offlineSinceMs;
    host.idleSinceMs = this.ctx.now;
    instance.everOnline = true;
    this.hooks.onRunnerStarted?.(host);
    this.github.setOnline(registration, true);
    // The agent writes its state as soon as it has started the runner: `idle` replaces the `exited` of the last registration.
    if (host.agentAlive) this.agentNotices(host);
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
      this.agentNotices(host);
      // The job-started hook runs inside the worker after action download; nothing of ours depends on it.
      const hookAt = (job.assignedMs ?? this.ctx.now) + this.ctx.drawMs('runner.hook', r.hookSeconds);
      this.ctx.engine.at(hookAt, 'hook', () => {
        if (host.job === job) this.ctx.record('hook.started', { job: job.id });
      });
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
    if (registration?.jit) {
      // A one-job runner exits after its job; the consumed registration is gone for good.
      this.github.forget(registration);
      delete host.registration;
      host.runnerAlive = false;
      host.offlineSinceMs = this.ctx.now;
      this.agentNotices(host, () => this.afterJitExit(host));
      return;
    }
    this.agentNotices(host);
    if (registration) this.github.matchRunner(registration);
  }

  private afterJitExit(host: Host): void {
    if (!host.agentAlive || this.gone(host)) return;
    if (host.pool.config.ephemeral) this.shutdown(host);
    else this.hooks.onRecycleRequest(host);
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
      delete host.registration;
      host.runnerAlive = false;
      host.offlineSinceMs = this.ctx.now;
      // The runner process exited and no worker runs: the agent shuts the instance down.
      this.agentNotices(host, () => {
        if (host.agentAlive) this.shutdown(host);
      });
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

  shutdown(host: Host): void {
    this.ec2.terminate(host.instance, 'self');
  }

  /** TerminateInstances, shutdown or spot: the runner and any job die at once. */
  terminating(instance: Instance, by: TerminatedBy): void {
    const host = this.hosts.get(instance.id);
    if (!host) return;
    if (!host.job && host.instance.everOnline && by !== 'spot') {
      this.hooks.onSurplusIdleEnd(host, this.ctx.now - this.surplusSinceMs(host));
    }
    if (!host.instance.everOnline && by !== 'spot') this.hooks.onOrphanEnd(host, this.ctx.now - instance.launchMs);
    this.killJob(host, by === 'control-plane' ? 'terminate' : by === 'spot' ? 'spot' : 'agent');
    const registration = host.registration;
    if (registration) {
      this.github.setOnline(registration, false);
      if (registration.consumed) this.github.forget(registration);
    }
    host.runnerAlive = false;
    host.agentAlive = false;
  }

  /**
   * When an idle instance became surplus (architecture.md §4, L1): idle, and past its pool's
   * minimum running time. Pools here keep no idle quota unless their config says so.
   */
  surplusSinceMs(host: Host): number {
    const minimumMs = host.pool.config.minimumRunningTimeMinutes * 60_000;
    return Math.max(host.idleSinceMs, host.instance.launchMs + minimumMs);
  }

  killAgent(host: Host): void {
    if (!host.agentAlive) return;
    host.agentAlive = false;
    this.ctx.record('agent.dead', { instance: host.instance.id });
  }

  /**
   * The agent sees a worker appear or go within `agentNoticeSeconds`, then writes its state —
   * the state it observes *then*, not the one that woke it: a notice of an earlier `idle` that
   * fires after a newer worker started must write `busy` (world-model.md: "always its current state").
   */
  private agentNotices(host: Host, then?: () => void): void {
    const delay = this.ctx.drawMs('agent.notice', this.ctx.params.runner.agentNoticeSeconds);
    this.ctx.engine.after(delay, 'agent-notice', () => {
      if (!host.agentAlive || this.gone(host)) return;
      this.setAgentState(host, this.observedState(host));
      then?.();
    });
  }

  private observedState(host: Host): AgentState {
    const atMs = this.ctx.now;
    if (host.workerRunning && host.job) return { state: 'busy', jobId: String(host.job.id), atMs };
    return host.runnerAlive ? { state: 'idle', atMs } : { state: 'exited', atMs };
  }

  private encoded(host: Host): string {
    return encodeAgentState({
      ...host.agentState,
      ...(host.ackMarkMs === undefined ? {} : { ackMarkMs: host.ackMarkMs }),
    });
  }

  /** Serial writes, always of the current state: a late `idle` never overwrites a newer `busy`. */
  private setAgentState(host: Host, state: AgentState): void {
    host.agentState = state;
    if (!host.writing) this.write(host);
  }

  private write(host: Host): void {
    host.writing = true;
    const value = this.encoded(host);
    this.ctx.engine.after(
      this.ctx.drawMs('agent.write', this.ctx.params.runner.agentWriteSeconds),
      'agent-write',
      () => {
        host.writing = false;
        if (!host.agentAlive || this.gone(host)) return;
        this.ec2.writeTags(host.instance, { [TAG.agentState]: value }, 'agent');
        if (this.encoded(host) !== value) this.write(host);
      },
    );
  }

  /**
   * Tags changed: the agent watches its own tags through instance metadata (event-driven here:
   * it wakes when the IMDS view changes, not on every poll) and acknowledges a new mark once.
   */
  tagsChanged(instance: Instance, keys: readonly string[], imdsVisibleMs: number): void {
    if (!keys.includes(TAG.lifecycle)) return;
    const host = this.hosts.get(instance.id);
    if (!host || !host.agentAlive) return;
    this.ctx.engine.at(imdsVisibleMs, 'imds', () => {
      if (!host.agentAlive || this.gone(host)) return;
      const mark = decodeLifecycle(this.ec2.readImdsTags(instance)[TAG.lifecycle]);
      if (!mark || mark.markMs === host.ackMarkMs) return;
      host.ackMarkMs = mark.markMs;
      this.ctx.record('agent.ack', { instance: instance.id, mark: mark.markMs });
      this.setAgentState(host, host.agentState);
    });
  }
}
