import type { RepoRef, RunnerLabel, RunnerOwner } from '../../ports/github.js';
import { ownerKey } from '../../ports/github.js';
import type { WorldContext } from './context.js';
import type { Job, KillCause, Registration } from './types.js';

/** The first installation id of the simulated GitHub App. */
export const FIRST_INSTALLATION = 5001;

export interface GroupRecord {
  readonly id: number;
  readonly org: string;
  readonly name: string;
  readonly visibility: 'all' | 'selected' | 'private';
  readonly selectedRepositoryIds: readonly number[];
}

export interface WebhookFault {
  readonly action?: 'queued' | 'in_progress' | 'completed';
  readonly lose: boolean;
  readonly delaySeconds?: number;
  readonly duplicates: number;
}

export interface WebhookDelivery {
  readonly action: 'queued' | 'in_progress' | 'completed';
  readonly jobId: number;
  readonly sentMs: number;
  readonly deliverMs: number;
  readonly lost: boolean;
}

/** What the rest of the world does when GitHub acts: the runners, and the App's webhook endpoint. */
export interface GitHubHooks {
  onAssigned(registration: Registration, job: Job): void;
  onDeleted(registration: Registration): void;
  onWebhook(delivery: WebhookDelivery, job: Job): void;
  /** A registration was made (the hostile-runner accounting checks no instance holds two). */
  onRegistered?(registration: Registration): void;
}

/**
 * GitHub's side of world-model.md: registrations, the job queue and matching, and the
 * lagging REST view. REST operations live in `github-rest.ts`.
 */
export class GitHubWorld {
  readonly registrations = new Map<number, Registration>();
  readonly jobs = new Map<number, Job>();
  readonly groups = new Map<number, GroupRecord>();
  readonly deliveries: WebhookDelivery[] = [];
  private readonly queued: Job[] = [];
  private readonly repoIds = new Map<string, number>();
  /** Accounts that are organizations (the others are users). */
  readonly organizations = new Set<string>();
  /** The GitHub App's installations: account login → installation id. */
  private readonly installationIds = new Map<string, number>();
  private nextRunnerId = 1000;
  private nextGroupId = 2;
  hooks: GitHubHooks = { onAssigned() {}, onDeleted() {}, onWebhook() {} };
  /** Scripted webhook faults per job id (scenario `faults.webhooks`). */
  readonly webhookFaults = new Map<number, WebhookFault[]>();

  constructor(private readonly ctx: WorldContext) {}

  /**
   * Installs the App on these accounts: ids from 5001 in sorted order (what the HTTP facade's app
   * directory uses too), so a run is the same whichever door serves it.
   */
  install(accounts: Iterable<string>): void {
    const sorted = [...new Set([...this.installationIds.keys(), ...accounts])].sort();
    this.installationIds.clear();
    sorted.forEach((login, index) => this.installationIds.set(login, FIRST_INSTALLATION + index));
  }

  installationIdOf(login: string): number | undefined {
    return this.installationIds.get(login);
  }

  installations(): ReadonlyMap<string, number> {
    return this.installationIds;
  }

  /** A stable account id per login (webhook payloads carry it). */
  accountId(login: string): number {
    let h = 0;
    for (let i = 0; i < login.length; i++) h = (Math.imul(h, 31) + login.charCodeAt(i)) >>> 0;
    return 1_000_000 + (h % 9_000_000);
  }

  repoId(repo: RepoRef): number {
    const key = `${repo.owner}/${repo.repo}`;
    let id = this.repoIds.get(key);
    if (id === undefined) {
      id = 100 + this.repoIds.size;
      this.repoIds.set(key, id);
    }
    return id;
  }

  createGroup(
    org: string,
    name: string,
    visibility: GroupRecord['visibility'],
    repoIds: readonly number[],
  ): GroupRecord {
    const group: GroupRecord = { id: this.nextGroupId++, org, name, visibility, selectedRepositoryIds: [...repoIds] };
    this.groups.set(group.id, group);
    this.ctx.record('gh.group.create', { group: group.id, name, visibility });
    return group;
  }

  /** A registration exists (offline) from JIT generation or token registration on. */
  register(input: {
    owner: RunnerOwner;
    name: string;
    customLabels: readonly string[];
    groupId: number;
    jit: boolean;
    ephemeral?: boolean;
    instanceId: string;
  }): Registration {
    const readOnly = input.jit ? this.ctx.params.github.defaultLabels : [];
    const labels: RunnerLabel[] = [
      ...readOnly.map((name) => ({ name, type: 'read-only' as const })),
      ...input.customLabels.map((name) => ({ name, type: 'custom' as const })),
    ];
    const registration: Registration = {
      id: this.nextRunnerId++,
      name: input.name,
      owner: input.owner,
      ownerKey: ownerKey(input.owner),
      jit: input.jit,
      ephemeral: input.ephemeral ?? false,
      instanceId: input.instanceId,
      labels,
      registeredCustomLabels: [...input.customLabels],
      registeredGroupId: input.groupId,
      matchLabels: new Set(labels.map((l) => l.name)),
      groupId: input.groupId,
      matchGroupId: input.groupId,
      online: false,
      deleted: false,
      consumed: false,
    };
    this.registrations.set(registration.id, registration);
    this.ctx.record('gh.register', { runner: registration.id, instance: input.instanceId, jit: input.jit });
    this.hooks.onRegistered?.(registration);
    return registration;
  }

  /** Registration tokens issued (`POST …/registration-token`), valid for an hour. */
  readonly registrationTokens = new Map<string, number>();

  tokenValid(token: string): boolean {
    const expiresAtMs = this.registrationTokens.get(token);
    return expiresAtMs !== undefined && expiresAtMs > this.ctx.now;
  }

  /** A runner group's id by name (the default group is id 1); undefined when unnamed or unknown. */
  groupIdByName(owner: RunnerOwner, name: string | undefined): number | undefined {
    if (name === undefined || owner.kind !== 'org') return undefined;
    if (name === 'Default') return 1;
    for (const group of this.groups.values()) if (group.org === owner.org && group.name === name) return group.id;
    return undefined;
  }

  setOnline(registration: Registration, online: boolean): void {
    if (registration.online === online) return;
    registration.online = online;
    this.ctx.record(online ? 'gh.online' : 'gh.offline', { runner: registration.id });
    if (online) this.matchRunner(registration);
  }

  /** The registration is gone from REST and matching (JIT registrations after their one job). */
  forget(registration: Registration): void {
    this.registrations.delete(registration.id);
  }

  submit(job: Job): void {
    this.jobs.set(job.id, job);
    this.queued.push(job);
    this.ctx.record('job.queued', { job: job.id, labels: job.labels.join(','), pool: job.pool });
    this.webhook('queued', job);
    this.matchJob(job);
  }

  queuedJobs(): readonly Job[] {
    return this.queued;
  }

  /** Rechecks the queue for a runner that may now match (online, idle again, labels changed). */
  matchRunner(registration: Registration): void {
    if (!this.eligible(registration)) return;
    for (const job of this.queued) {
      if (this.matches(registration, job)) {
        this.assign(registration, job);
        return;
      }
    }
  }

  private matchJob(job: Job): void {
    const candidates: Registration[] = [];
    for (const registration of this.registrations.values()) {
      if (this.eligible(registration) && this.matches(registration, job)) candidates.push(registration);
    }
    if (candidates.length === 0) return;
    // Which idle listener wins is not documented: a seeded pick among the eligible.
    this.assign(this.ctx.rng('github.match').pick(candidates), job);
  }

  private eligible(registration: Registration): boolean {
    return registration.online && !registration.deleted && !registration.consumed && registration.jobId === undefined;
  }

  private matches(registration: Registration, job: Job): boolean {
    if (job.pinnedInstance !== undefined && job.pinnedInstance !== registration.instanceId) return false;
    for (const label of job.labels) if (!registration.matchLabels.has(label)) return false;
    const owner = registration.owner;
    if (owner.kind === 'repo') return owner.owner === job.repo.owner && owner.repo === job.repo.repo;
    if (owner.org !== job.repo.owner) return false;
    const group = this.groups.get(registration.matchGroupId);
    if (!group || group.visibility !== 'selected') return true;
    return group.selectedRepositoryIds.includes(this.repoId(job.repo));
  }

  private assign(registration: Registration, job: Job): void {
    const index = this.queued.indexOf(job);
    if (index >= 0) this.queued.splice(index, 1);
    const now = this.ctx.now;
    const gh = this.ctx.params.github;
    job.status = 'assigned';
    job.runnerId = registration.id;
    job.runnerName = registration.name;
    job.runnerGroupId = registration.groupId;
    if (registration.quarantineRequestedMs !== undefined)
      job.quarantineRequestedMs = registration.quarantineRequestedMs;
    job.instanceId = registration.instanceId;
    job.assignedMs = now;
    const lagRng = this.ctx.rng('github.busyLag');
    const lagMs =
      job.pinnedBusyLagMs ??
      this.ctx.drawMs(
        'github.busyLag',
        lagRng.chance(gh.busyLag.fastShare) ? gh.busyLag.fastSeconds : gh.busyLag.slowSeconds,
      );
    job.busyVisibleMs = now + lagMs;
    this.drawStale(job, now);
    registration.jobId = job.id;
    // A JIT registration is consumed by its assignment: REST GET answers 404 while the job runs (actions/runner #4617).
    if (registration.jit) registration.consumed = true;
    this.ctx.record('job.assigned', {
      job: job.id,
      runner: registration.id,
      instance: registration.instanceId,
      busyLagMs: lagMs,
    });
    this.hooks.onAssigned(registration, job);
  }

  private drawStale(job: Job, now: number): void {
    const pinned = job.pinnedStale?.[0];
    if (pinned) {
      job.staleFromMs = now + pinned.offsetMs;
      job.staleToMs = job.staleFromMs + pinned.durationMs;
      return;
    }
    if (job.pinnedStale !== undefined) return;
    const rng = this.ctx.rng('github.stale');
    const stale = this.ctx.params.github.staleFalse;
    if (!rng.chance(stale.chance)) return;
    job.staleFromMs = now + Math.round(rng.next() * job.durationMs);
    job.staleToMs = job.staleFromMs + this.ctx.drawMs('github.stale', stale.seconds);
  }

  /** GitHub's lagging REST view of `busy` (variants A and B). */
  busyView(registration: Registration): boolean {
    if (registration.forcedBusy !== undefined) return registration.forcedBusy;
    const job = registration.jobId === undefined ? undefined : this.jobs.get(registration.jobId);
    if (!job || job.busyVisibleMs === undefined) return false;
    const now = this.ctx.now;
    if (now < job.busyVisibleMs) return false;
    if (job.staleFromMs !== undefined && job.staleToMs !== undefined && now >= job.staleFromMs && now < job.staleToMs) {
      return false;
    }
    return true;
  }

  markRunning(job: Job): void {
    job.status = 'running';
    job.workerStartMs = this.ctx.now;
    this.webhook('in_progress', job);
  }

  /** Whether a label or group change leaves the runner outside its pool's matching (a quarantine). */
  noteRunnerChange(registration: Registration): void {
    const custom = registration.labels.filter((l) => l.type === 'custom').map((l) => l.name);
    const sameLabels =
      custom.length === registration.registeredCustomLabels.length &&
      custom.every((l) => registration.registeredCustomLabels.includes(l));
    if (sameLabels && registration.groupId === registration.registeredGroupId)
      delete registration.quarantineRequestedMs;
    else registration.quarantineRequestedMs ??= this.ctx.now;
  }

  /**
   * Guard (b) of docs/safety.md held: GitHub refused a DELETE (422 busy, or 404 for a consumed JIT
   * registration) while a job was assigned to the runner. The job is marked; the accounting counts
   * each job once.
   */
  noteGuardBSave(registration: Registration): void {
    const job = registration.jobId === undefined ? undefined : this.jobs.get(registration.jobId);
    if (job === undefined || job.status === 'completed' || job.status === 'killed') return;
    job.deleteRefused = true;
    this.ctx.record('guard.b', { job: job.id, runner: registration.id });
  }

  /** The job ended, normally or not; the runner is free of it. */
  finish(job: Job, cause?: KillCause): void {
    if (job.status === 'completed' || job.status === 'killed') return;
    job.status = cause === undefined ? 'completed' : 'killed';
    job.endMs = this.ctx.now;
    if (cause !== undefined) job.cause = cause;
    const registration = job.runnerId === undefined ? undefined : this.registrations.get(job.runnerId);
    if (cause !== undefined && registration !== undefined) {
      job.killedRegistration = { jit: registration.jit, deletedWhileAssigned: registration.deleted };
    }
    if (registration && registration.jobId === job.id) delete registration.jobId;
    this.ctx.record(cause === undefined ? 'job.completed' : 'job.killed', { job: job.id, runner: job.runnerId, cause });
    this.webhook('completed', job);
  }

  private webhook(action: WebhookDelivery['action'], job: Job): void {
    const gh = this.ctx.params.github;
    let lost = this.ctx.rng('github.webhook').chance(gh.webhookLossRate);
    let deliverMs = this.ctx.now + this.ctx.drawMs('github.webhook', gh.webhookDelaySeconds);
    let copies = 1;
    // Scripted per-job faults (scenario `faults.webhooks`) override the drawn fate.
    for (const fault of this.webhookFaults.get(job.id) ?? []) {
      if (fault.action !== undefined && fault.action !== action) continue;
      if (fault.lose) lost = true;
      if (fault.delaySeconds !== undefined) deliverMs = this.ctx.now + fault.delaySeconds * 1000;
      copies += fault.duplicates;
    }
    const delivery: WebhookDelivery = { action, jobId: job.id, sentMs: this.ctx.now, deliverMs, lost };
    this.deliveries.push(delivery);
    if (lost) return;
    // A duplicate is a second delivery of the same event (a redelivery, or GitHub sending twice).
    for (let i = 0; i < copies; i++) {
      this.ctx.engine.at(deliverMs + i * 1000, 'webhook', () => this.hooks.onWebhook(delivery, job));
    }
  }
}
