import { createHash } from 'node:crypto';
import { ConflictError, NotFoundError } from '../../../errors.js';
import { systemClock, type Clock } from '../../../ports/clock.js';
import {
  ownerKey,
  type GitHubPort,
  type GitHubRunner,
  type JitConfig,
  type JitConfigRequest,
  type RegistrationToken,
  type RepoRef,
  type RunnerGroup,
  type RunnerLabel,
  type RunnerOwner,
  type WorkflowJob,
} from '../../../ports/github.js';

interface RunnerRecord {
  id: number;
  name: string;
  ownerKey: string;
  status: 'online' | 'offline';
  busy: boolean;
  custom: string[];
  groupId: number | undefined;
  /** Its job's assignment consumed the registration (JIT runners). */
  consumed: boolean;
}

/** GitHub's default labels on a Linux x64 runner: read-only (docs: "Using labels with self-hosted runners"). */
const READ_ONLY_LABELS: readonly RunnerLabel[] = [
  { name: 'self-hosted', type: 'read-only' },
  { name: 'Linux', type: 'read-only' },
  { name: 'X64', type: 'read-only' },
];
/** GitHub: registration tokens expire after one hour. */
const REGISTRATION_TOKEN_TTL_MS = 3_600_000;

type Operation = keyof GitHubPort;

/**
 * A deterministic in-process GitHub: runners per owner, runner groups per org (1 = Default),
 * JIT configs that register a runner, registration tokens, jobs by id. The REST view is exactly the
 * state (no lag); the simulator models lag over its own world. Helper methods let tests shape it.
 */
export class InMemoryGitHub implements GitHubPort {
  private readonly runners = new Map<number, RunnerRecord>();
  private readonly groups = new Map<string, RunnerGroup[]>();
  private readonly jobs = new Map<string, WorkflowJob>();
  private readonly rerun = new Set<string>();
  private readonly faults = new Map<Operation, Error[]>();
  private nextRunnerId = 1;
  private nextGroupId = 2;
  private issued = 0;

  constructor(private readonly clock: Clock = systemClock) {}

  // ---- helpers for tests and scenarios -------------------------------------------------------

  /** GitHub's REST `busy` flag of a runner. */
  setBusy(runnerId: number, busy: boolean): void {
    this.record(runnerId).busy = busy;
  }

  setStatus(runnerId: number, status: 'online' | 'offline'): void {
    this.record(runnerId).status = status;
  }

  /**
   * A job was assigned to a JIT runner and consumed its registration: while the job runs, GET,
   * DELETE and label or group changes answer 404 (world-model.md, "ephemeral (JIT) runner";
   * actions/runner #4617). The list still shows it, as the simulator does by default
   * (`consumedJitListed`).
   */
  consumeRegistration(runnerId: number): void {
    this.record(runnerId).consumed = true;
  }

  addJob(repo: RepoRef, job: WorkflowJob): void {
    this.jobs.set(jobKey(repo, job.id), job);
  }

  /** The next `times` calls of `operation` throw `error` (e.g. a RateLimitedError or TransientError). */
  failNext(operation: Operation, error: Error, times = 1): void {
    const queue = this.faults.get(operation) ?? [];
    for (let i = 0; i < times; i += 1) queue.push(error);
    this.faults.set(operation, queue);
  }

  // ---- GitHubPort ----------------------------------------------------------------------------

  async listRunners(owner: RunnerOwner): Promise<GitHubRunner[]> {
    this.fault('listRunners');
    const key = ownerKey(owner);
    return [...this.runners.values()].filter((r) => r.ownerKey === key).map((r) => this.view(r));
  }

  async getRunner(owner: RunnerOwner, runnerId: number): Promise<GitHubRunner> {
    this.fault('getRunner');
    return this.view(this.owned(owner, runnerId));
  }

  async deleteRunner(owner: RunnerOwner, runnerId: number): Promise<void> {
    this.fault('deleteRunner');
    const runner = this.owned(owner, runnerId);
    // GitHub answers 422 while its own view holds the runner busy (world-model.md, `DELETE` runner).
    if (runner.busy) throw new ConflictError(`Bad request - Runner "${runner.name}" is still running a job`);
    this.runners.delete(runnerId);
  }

  async setCustomLabels(owner: RunnerOwner, runnerId: number, labels: readonly string[]): Promise<RunnerLabel[]> {
    this.fault('setCustomLabels');
    const runner = this.owned(owner, runnerId);
    runner.custom = dedupe(labels.filter((l) => !isReadOnly(l)));
    return this.labels(runner);
  }

  async removeCustomLabels(owner: RunnerOwner, runnerId: number): Promise<RunnerLabel[]> {
    this.fault('removeCustomLabels');
    const runner = this.owned(owner, runnerId);
    runner.custom = [];
    return this.labels(runner);
  }

  async createRegistrationToken(owner: RunnerOwner): Promise<RegistrationToken> {
    this.fault('createRegistrationToken');
    return {
      token: this.secret('registration', ownerKey(owner)).toUpperCase().slice(0, 29),
      expiresAtMs: Math.floor((this.clock.now() + REGISTRATION_TOKEN_TTL_MS) / 1000) * 1000,
    };
  }

  async generateJitConfig(owner: RunnerOwner, request: JitConfigRequest): Promise<JitConfig> {
    this.fault('generateJitConfig');
    const key = ownerKey(owner);
    if (owner.kind === 'org') {
      this.group(owner.org, request.runnerGroupId);
    } else if (request.runnerGroupId !== 1) {
      throw new NotFoundError(`runner group ${request.runnerGroupId} not found for a repository`);
    }
    if ([...this.runners.values()].some((r) => r.ownerKey === key && r.name === request.name)) {
      throw new ConflictError(`Already exists - A runner with the name ${request.name} already exists.`);
    }
    const id = this.nextRunnerId++;
    this.runners.set(id, {
      id,
      name: request.name,
      ownerKey: key,
      status: 'offline',
      busy: false,
      custom: dedupe(request.labels.filter((l) => !isReadOnly(l))),
      groupId: owner.kind === 'org' ? request.runnerGroupId : undefined,
      consumed: false,
    });
    // Like GitHub's: base64 of JSON holding the runner's files, credentials included. A secret.
    const files = {
      '.runner': { agentId: id, agentName: request.name, owner: key },
      '.credentials': this.secret('jit', key),
    };
    return {
      runnerId: id,
      runnerName: request.name,
      encodedJitConfig: Buffer.from(JSON.stringify(files)).toString('base64'),
    };
  }

  async getJob(repo: RepoRef, jobId: number): Promise<WorkflowJob> {
    this.fault('getJob');
    const job = this.jobs.get(jobKey(repo, jobId));
    if (!job) throw new NotFoundError(`job ${jobId} not found in ${repo.owner}/${repo.repo}`);
    return job;
  }

  /**
   * Re-run: the job's next attempt, a new job id in the same run, is queued; the re-run job stays as
   * it was and leaves the run's latest attempt. Refused while the job or its run's latest attempt has
   * not completed; a completed run may be re-run again (GitHub allows up to 50 re-runs of a run).
   */
  async rerunJob(repo: RepoRef, jobId: number): Promise<void> {
    this.fault('rerunJob');
    const key = jobKey(repo, jobId);
    const job = this.jobs.get(key);
    if (!job) throw new NotFoundError(`job ${jobId} not found in ${repo.owner}/${repo.repo}`);
    const running = (await this.latestJobIds(repo, job.runId)).some(
      (id) => this.jobs.get(jobKey(repo, id))?.status !== 'completed',
    );
    if (job.status !== 'completed' || running) {
      throw new ConflictError(`job ${jobId} is not completed or its run is running again`);
    }
    this.rerun.add(key);
    const next = Math.max(...[...this.jobs.values()].map((j) => j.id)) + 1;
    const attempt: WorkflowJob = {
      ...job,
      id: next,
      status: 'queued',
      conclusion: null,
      runnerId: null,
      runnerName: null,
    };
    this.jobs.set(jobKey(repo, next), attempt);
  }

  async latestJobIds(repo: RepoRef, runId: number): Promise<number[]> {
    this.fault('latestJobIds');
    return [...this.jobs.entries()]
      .filter(
        ([key, job]) => job.runId === runId && key.startsWith(`${repo.owner}/${repo.repo}#`) && !this.rerun.has(key),
      )
      .map(([, job]) => job.id);
  }

  async listRunnerGroups(org: string): Promise<RunnerGroup[]> {
    this.fault('listRunnerGroups');
    return [...this.groupsOf(org)];
  }

  async createRunnerGroup(
    org: string,
    group: { name: string; visibility: 'selected' | 'all'; selectedRepositoryIds?: readonly number[] },
  ): Promise<RunnerGroup> {
    this.fault('createRunnerGroup');
    const groups = this.groupsOf(org);
    if (groups.some((g) => g.name === group.name)) throw new ConflictError(`Name ${group.name} already exists`);
    const created: RunnerGroup = {
      id: this.nextGroupId++,
      name: group.name,
      visibility: group.visibility,
      selectedRepositoryIds: group.visibility === 'selected' ? [...(group.selectedRepositoryIds ?? [])] : [],
    };
    groups.push(created);
    return created;
  }

  async addRunnerToGroup(org: string, groupId: number, runnerId: number): Promise<void> {
    this.fault('addRunnerToGroup');
    this.group(org, groupId);
    this.owned({ kind: 'org', org }, runnerId).groupId = groupId;
  }

  // ---- internals -----------------------------------------------------------------------------

  private fault(operation: Operation): void {
    const error = this.faults.get(operation)?.shift();
    if (error) throw error;
  }

  private record(runnerId: number): RunnerRecord {
    const runner = this.runners.get(runnerId);
    if (!runner) throw new NotFoundError(`runner ${runnerId} not found`);
    return runner;
  }

  private owned(owner: RunnerOwner, runnerId: number): RunnerRecord {
    const runner = this.runners.get(runnerId);
    if (!runner || runner.consumed || runner.ownerKey !== ownerKey(owner)) {
      throw new NotFoundError(`runner ${runnerId} not found for ${ownerKey(owner)}`);
    }
    return runner;
  }

  private groupsOf(org: string): RunnerGroup[] {
    let groups = this.groups.get(org);
    if (!groups) {
      groups = [{ id: 1, name: 'Default', visibility: 'all', selectedRepositoryIds: [] }];
      this.groups.set(org, groups);
    }
    return groups;
  }

  private group(org: string, groupId: number): RunnerGroup {
    const group = this.groupsOf(org).find((g) => g.id === groupId);
    if (!group) throw new NotFoundError(`runner group ${groupId} not found in ${org}`);
    return group;
  }

  private labels(runner: RunnerRecord): RunnerLabel[] {
    return [...READ_ONLY_LABELS, ...runner.custom.map((name): RunnerLabel => ({ name, type: 'custom' }))];
  }

  private view(runner: RunnerRecord): GitHubRunner {
    const base = {
      id: runner.id,
      name: runner.name,
      os: 'Linux',
      status: runner.status,
      busy: runner.busy,
      labels: this.labels(runner),
    };
    return runner.groupId === undefined ? base : { ...base, runnerGroupId: runner.groupId };
  }

  private secret(kind: string, key: string): string {
    this.issued += 1;
    return createHash('sha256').update(`${kind}:${key}:${this.issued}`).digest('hex');
  }
}

function jobKey(repo: RepoRef, jobId: number): string {
  return `${repo.owner}/${repo.repo}#${jobId}`;
}

function isReadOnly(label: string): boolean {
  return READ_ONLY_LABELS.some((l) => l.name.toLowerCase() === label.toLowerCase());
}

function dedupe(labels: readonly string[]): string[] {
  return [...new Set(labels)];
}
