/**
 * The GitHub port: everything the control plane asks of GitHub, for org and repo runners.
 * Implemented by the Octokit adapter (production) and by the simulator (in-process).
 *
 * Errors: NotFoundError (404), ConflictError (422, e.g. DELETE of a runner GitHub holds busy),
 * RateLimitedError (primary or secondary limit), TransientError (5xx), PermanentError (other 4xx).
 */

/** Whose runners: an organization's, or one repository's. */
export type RunnerOwner =
  | { readonly kind: 'org'; readonly org: string }
  | { readonly kind: 'repo'; readonly owner: string; readonly repo: string };

export type RunnerLabelType = 'read-only' | 'custom';

export interface RunnerLabel {
  readonly name: string;
  readonly type: RunnerLabelType;
}

export interface GitHubRunner {
  readonly id: number;
  readonly name: string;
  readonly os: string;
  readonly status: 'online' | 'offline';
  /** GitHub's view; it lags job assignment and can read false mid-job (world-model.md). */
  readonly busy: boolean;
  readonly labels: readonly RunnerLabel[];
  /** Org runners only: the runner group it belongs to. */
  readonly runnerGroupId?: number;
}

export interface RunnerGroup {
  readonly id: number;
  readonly name: string;
  /** 'selected' with no repositories means no workflow may use the group (our quarantine). */
  readonly visibility: 'all' | 'selected' | 'private';
  readonly selectedRepositoryIds: readonly number[];
}

export interface JitConfigRequest {
  readonly name: string;
  readonly labels: readonly string[];
  /** Org runners: the group the runner joins (1 = Default). Repo runners: must be 1. */
  readonly runnerGroupId: number;
  readonly workFolder?: string;
}

export interface JitConfig {
  readonly runnerId: number;
  readonly runnerName: string;
  /** Secret: the runner's whole registration. Never logged. */
  readonly encodedJitConfig: string;
}

export interface RegistrationToken {
  /** Secret. Never logged. */
  readonly token: string;
  readonly expiresAtMs: number;
}

export type WorkflowJobStatus = 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';

export interface WorkflowJob {
  readonly id: number;
  readonly runId: number;
  readonly status: WorkflowJobStatus;
  readonly conclusion: string | null;
  readonly labels: readonly string[];
  readonly runnerId: number | null;
  readonly runnerName: string | null;
}

export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

export interface GitHubPort {
  /** Every runner of the owner, all pages. */
  listRunners(owner: RunnerOwner): Promise<GitHubRunner[]>;
  getRunner(owner: RunnerOwner, runnerId: number): Promise<GitHubRunner>;
  /** 204, or NotFoundError (gone, or a JIT runner whose job consumed it), or ConflictError (busy). */
  deleteRunner(owner: RunnerOwner, runnerId: number): Promise<void>;
  /** Replaces all custom labels; returns the runner's labels afterwards. */
  setCustomLabels(owner: RunnerOwner, runnerId: number, labels: readonly string[]): Promise<RunnerLabel[]>;
  /** Removes all custom labels; returns the remaining (read-only) labels. */
  removeCustomLabels(owner: RunnerOwner, runnerId: number): Promise<RunnerLabel[]>;
  createRegistrationToken(owner: RunnerOwner): Promise<RegistrationToken>;
  generateJitConfig(owner: RunnerOwner, request: JitConfigRequest): Promise<JitConfig>;
  getJob(repo: RepoRef, jobId: number): Promise<WorkflowJob>;
  /**
   * Re-runs a completed job (a new attempt of it is queued: "Re-run a job from a workflow run",
   * which needs the App's `actions: write`). A job not completed, or already re-run, is refused with
   * a non-retryable error; an unknown one is NotFoundError.
   */
  rerunJob(repo: RepoRef, jobId: number): Promise<void>;
  /**
   * The job ids of a run's latest attempt ("List jobs for a workflow run", `filter=latest`): a job
   * not among them was re-run since.
   */
  latestJobIds(repo: RepoRef, runId: number): Promise<number[]>;
  listRunnerGroups(org: string): Promise<RunnerGroup[]>;
  /** Creates a group; `selected` with an empty repository list admits no workflow. */
  createRunnerGroup(
    org: string,
    group: { name: string; visibility: 'selected' | 'all'; selectedRepositoryIds?: readonly number[] },
  ): Promise<RunnerGroup>;
  /** Moves an org runner into a group (it leaves its previous group). */
  addRunnerToGroup(org: string, groupId: number, runnerId: number): Promise<void>;
}

export function ownerKey(owner: RunnerOwner): string {
  return owner.kind === 'org' ? owner.org : `${owner.owner}/${owner.repo}`;
}

/** Parses the `ghr:Owner` tag value: `org` or `owner/repo`. */
export function parseOwner(value: string): RunnerOwner {
  const slash = value.indexOf('/');
  if (slash < 0) return { kind: 'org', org: value };
  return { kind: 'repo', owner: value.slice(0, slash), repo: value.slice(slash + 1) };
}
