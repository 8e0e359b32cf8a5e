import { ConflictError, NotFoundError, PermanentError } from '../../errors.js';
import type {
  GitHubRunner,
  JitConfig,
  RegistrationToken,
  RepoRef,
  RunnerGroup,
  RunnerLabel,
  RunnerOwner,
  WorkflowJob,
} from '../../ports/github.js';
import { ownerKey } from '../../ports/github.js';
import type { WorldContext } from './context.js';
import { encodeJitConfig } from './runner-config.js';
import { instanceIdOfRunnerName } from '../../core/runner-name.js';
import type { GitHubWorld, GroupRecord } from './github.js';
import type { Job, Registration } from './types.js';

/**
 * GitHub's REST semantics over the world (world-model.md, GitHub table): what both doors
 * (in-process port and HTTP facade) answer. Throws the port's typed errors.
 */
export class GitHubRest {
  private tokenSeq = 0;
  /** Every JIT config and registration token handed out (the log scan looks for them). */
  readonly issuedSecrets: string[] = [];
  /** Queues a re-run's next attempt (the world assigns job ids); set by the world. */
  queueRerun: (job: Job) => void = () => {
    throw new PermanentError('re-runs are not modelled in this world');
  };

  constructor(
    private readonly ctx: WorldContext,
    private readonly world: GitHubWorld,
  ) {}

  private visible(owner: RunnerOwner, runnerId: number): Registration {
    const registration = this.world.registrations.get(runnerId);
    if (!registration || registration.deleted || registration.consumed || registration.ownerKey !== ownerKey(owner)) {
      throw new NotFoundError(`runner ${runnerId} not found`);
    }
    return registration;
  }

  view(registration: Registration): GitHubRunner {
    return {
      id: registration.id,
      name: registration.name,
      os: 'linux',
      status: registration.online ? 'online' : 'offline',
      busy: this.world.busyView(registration),
      labels: registration.labels.map((l) => ({ ...l })),
      ...(registration.owner.kind === 'org' ? { runnerGroupId: registration.groupId } : {}),
    };
  }

  listRunners(owner: RunnerOwner): GitHubRunner[] {
    const key = ownerKey(owner);
    const result: GitHubRunner[] = [];
    for (const registration of this.world.registrations.values()) {
      const listed = !registration.consumed || this.ctx.params.github.consumedJitListed;
      if (registration.ownerKey === key && !registration.deleted && listed) {
        result.push(this.view(registration));
      }
    }
    return result;
  }

  getRunner(owner: RunnerOwner, runnerId: number): GitHubRunner {
    return this.view(this.visible(owner, runnerId));
  }

  /** 422 on a busy REST view, 204 otherwise (also on a stale view); 404 once gone or consumed. */
  deleteRunner(owner: RunnerOwner, runnerId: number): void {
    const registration = this.world.registrations.get(runnerId);
    const pessimisticJit = registration?.consumed === true && this.ctx.params.github.jitDeleteCancels;
    if (!pessimisticJit) {
      try {
        this.visible(owner, runnerId);
      } catch (error) {
        // A consumed JIT registration: GitHub's refusal is what keeps its job (guard b).
        if (registration?.consumed === true) this.world.noteGuardBSave(registration);
        throw error;
      }
    }
    if (!registration) throw new NotFoundError(`runner ${runnerId} not found`);
    if (!pessimisticJit && this.world.busyView(registration)) {
      this.ctx.record('gh.delete.refused', { runner: runnerId });
      this.world.noteGuardBSave(registration);
      throw new ConflictError(`runner ${runnerId} is busy`);
    }
    registration.deleted = true;
    this.ctx.record('gh.delete', { runner: runnerId, job: registration.jobId });
    this.world.hooks.onDeleted(registration);
  }

  private changeLabels(registration: Registration, custom: readonly string[]): RunnerLabel[] {
    const readOnly = registration.labels.filter((l) => l.type === 'read-only');
    registration.labels = [...readOnly, ...custom.map((name) => ({ name, type: 'custom' as const }))];
    const next = new Set(registration.labels.map((l) => l.name));
    this.ctx.record('gh.labels', { runner: registration.id, labels: custom.join(',') });
    this.world.noteRunnerChange(registration);
    // actions/runner #4225 (pessimistic variant): the matcher keeps the session's labels.
    if (!this.ctx.params.github.staleLabels) {
      this.ctx.engine.cancel(registration.pendingLabelChange);
      const delay = this.ctx.drawMs('github.propagation', this.ctx.params.github.labelPropagationSeconds);
      registration.pendingLabelChange = this.ctx.engine.after(delay, 'labels', () => {
        registration.matchLabels = next;
        this.ctx.record('gh.labels.effective', { runner: registration.id });
        this.world.matchRunner(registration);
      });
    }
    return registration.labels.map((l) => ({ ...l }));
  }

  setCustomLabels(owner: RunnerOwner, runnerId: number, labels: readonly string[]): RunnerLabel[] {
    return this.changeLabels(this.visible(owner, runnerId), labels);
  }

  removeCustomLabels(owner: RunnerOwner, runnerId: number): RunnerLabel[] {
    return this.changeLabels(this.visible(owner, runnerId), []);
  }

  createRegistrationToken(_owner: RunnerOwner): RegistrationToken {
    const token = {
      token: `SIMREG${String(++this.tokenSeq).padStart(24, '0')}`,
      expiresAtMs: this.ctx.now + 3_600_000,
    };
    this.world.registrationTokens.set(token.token, token.expiresAtMs);
    this.issuedSecrets.push(token.token);
    return token;
  }

  generateJitConfig(
    owner: RunnerOwner,
    request: { name: string; labels: readonly string[]; runnerGroupId: number },
  ): JitConfig {
    for (const registration of this.world.registrations.values()) {
      if (
        registration.ownerKey === ownerKey(owner) &&
        registration.name === request.name &&
        !registration.deleted &&
        !registration.consumed
      ) {
        throw new ConflictError(`a runner named ${request.name} exists`);
      }
    }
    const registration = this.world.register({
      owner,
      name: request.name,
      customLabels: request.labels,
      groupId: request.runnerGroupId,
      jit: true,
      // Runners are named after their instance (as upstream names them; core/runner-name.ts).
      instanceId: instanceIdOfRunnerName(request.name) ?? request.name,
    });
    const encodedJitConfig = encodeJitConfig(registration.id, registration.name, this.ctx.rng('github.jit'));
    this.issuedSecrets.push(encodedJitConfig);
    return { runnerId: registration.id, runnerName: registration.name, encodedJitConfig };
  }

  /**
   * GitHub refuses a job that has not completed, or whose run is running again (its latest attempt
   * not completed); a completed run may be re-run again.
   */
  rerunJob(repo: RepoRef, jobId: number): void {
    const job = this.world.jobs.get(jobId);
    if (!job || job.repo.owner !== repo.owner || job.repo.repo !== repo.repo) {
      throw new NotFoundError(`job ${jobId} not found`);
    }
    const finished = (j: Job): boolean => j.status === 'completed' || j.status === 'killed';
    const running = this.latestJobIds(repo, job.runId).some((id) => !finished(this.world.jobs.get(id)!));
    if (!finished(job) || running) throw new ConflictError(`job ${jobId} is not completed or its run is running again`);
    this.queueRerun(job);
  }

  /** The jobs of the run's latest attempt: those no re-run has superseded. */
  latestJobIds(repo: RepoRef, runId: number): number[] {
    return [...this.world.jobs.values()]
      .filter(
        (j) => j.runId === runId && j.repo.owner === repo.owner && j.repo.repo === repo.repo && j.rerunAs === undefined,
      )
      .map((j) => j.id);
  }

  getJob(repo: RepoRef, jobId: number): WorkflowJob {
    const job = this.world.jobs.get(jobId);
    if (!job || job.repo.owner !== repo.owner || job.repo.repo !== repo.repo)
      throw new NotFoundError(`job ${jobId} not found`);
    const status =
      job.status === 'queued'
        ? 'queued'
        : job.status === 'assigned' || job.status === 'running'
          ? 'in_progress'
          : 'completed';
    return {
      id: job.id,
      runId: job.runId,
      status,
      conclusion: job.status === 'completed' ? 'success' : job.status === 'killed' ? 'cancelled' : null,
      labels: [...job.labels],
      runnerId: job.runnerId ?? null,
      runnerName: job.runnerName ?? null,
    };
  }

  private group(record: GroupRecord): RunnerGroup {
    return {
      id: record.id,
      name: record.name,
      visibility: record.visibility,
      selectedRepositoryIds: [...record.selectedRepositoryIds],
    };
  }

  listRunnerGroups(org: string): RunnerGroup[] {
    const defaults: RunnerGroup = { id: 1, name: 'Default', visibility: 'all', selectedRepositoryIds: [] };
    return [defaults, ...[...this.world.groups.values()].filter((g) => g.org === org).map((g) => this.group(g))];
  }

  createRunnerGroup(
    org: string,
    group: { name: string; visibility: 'selected' | 'all'; selectedRepositoryIds?: readonly number[] },
  ): RunnerGroup {
    if (this.listRunnerGroups(org).some((g) => g.name === group.name)) {
      throw new ConflictError(`runner group ${group.name} exists`);
    }
    return this.group(this.world.createGroup(org, group.name, group.visibility, group.selectedRepositoryIds ?? []));
  }

  addRunnerToGroup(org: string, groupId: number, runnerId: number): void {
    if (groupId !== 1 && !this.world.groups.has(groupId)) throw new NotFoundError(`runner group ${groupId} not found`);
    const registration = this.visible({ kind: 'org', org }, runnerId);
    if (registration.owner.kind !== 'org') throw new PermanentError('repository runners have no group');
    registration.groupId = groupId;
    this.ctx.record('gh.group.move', { runner: runnerId, group: groupId });
    this.world.noteRunnerChange(registration);
    if (this.ctx.params.github.staleGroups) return;
    this.ctx.engine.cancel(registration.pendingGroupChange);
    const delay = this.ctx.drawMs('github.groupPropagation', this.ctx.params.github.groupPropagationSeconds);
    registration.pendingGroupChange = this.ctx.engine.after(delay, 'group', () => {
      registration.matchGroupId = groupId;
      this.ctx.record('gh.group.effective', { runner: runnerId, group: groupId });
      this.world.matchRunner(registration);
    });
  }
}
