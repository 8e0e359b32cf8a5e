import type { GitHubRunner, RunnerGroup, RunnerLabel, WorkflowJob, WorkflowJobStatus } from '../../ports/github.js';

/** Wire shapes (snake_case, as the REST API answers) → port types. Only the fields the port keeps. */

export interface WireLabel {
  readonly name: string;
  readonly type?: string;
}

export interface WireRunner {
  readonly id: number;
  readonly name: string;
  readonly os: string;
  readonly status: string;
  readonly busy: boolean;
  readonly labels: readonly WireLabel[];
  readonly runner_group_id?: number | null;
}

export interface WireRunnerGroup {
  readonly id: number;
  readonly name: string;
  readonly visibility: string;
}

/** Octokit parses very large integers as bigint (json-with-bigint); ids of jobs and runs can be typed so. */
type WireId = number | bigint;

export interface WireJob {
  readonly id: WireId;
  readonly run_id: WireId;
  readonly status: string;
  readonly conclusion: string | null;
  readonly labels: readonly string[];
  readonly runner_id: number | null;
  readonly runner_name: string | null;
}

export function toLabel(label: WireLabel): RunnerLabel {
  // GitHub documents `read-only` (self-hosted, OS, architecture) and `custom`.
  return { name: label.name, type: label.type === 'read-only' ? 'read-only' : 'custom' };
}

export function toRunner(runner: WireRunner): GitHubRunner {
  const base = {
    id: runner.id,
    name: runner.name,
    os: runner.os,
    status: runner.status === 'online' ? ('online' as const) : ('offline' as const),
    busy: runner.busy,
    labels: runner.labels.map(toLabel),
  };
  return typeof runner.runner_group_id === 'number' ? { ...base, runnerGroupId: runner.runner_group_id } : base;
}

export function toRunnerGroup(group: WireRunnerGroup, repositoryIds: readonly WireId[]): RunnerGroup {
  const selectedRepositoryIds = repositoryIds.map(Number);
  const visibility = group.visibility === 'all' || group.visibility === 'selected' ? group.visibility : 'private';
  return { id: group.id, name: group.name, visibility, selectedRepositoryIds };
}

const JOB_STATUSES: readonly WorkflowJobStatus[] = [
  'queued',
  'in_progress',
  'completed',
  'waiting',
  'requested',
  'pending',
];

export function toJob(job: WireJob): WorkflowJob {
  // An unknown future status is treated as not yet finished: the cautious reading for scale decisions.
  const status = JOB_STATUSES.find((s) => s === job.status) ?? 'pending';
  return {
    id: Number(job.id),
    runId: Number(job.run_id),
    status,
    conclusion: job.conclusion,
    labels: [...job.labels],
    runnerId: job.runner_id,
    runnerName: job.runner_name,
  };
}
