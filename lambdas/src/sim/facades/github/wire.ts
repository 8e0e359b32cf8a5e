import type { GitHubRunner, RunnerGroup, RunnerLabel, RunnerOwner, WorkflowJob } from '../../../ports/github.js';

/**
 * Port types → the JSON GitHub's REST API answers (snake_case, the fields the docs list for
 * "Self-hosted runners", "Self-hosted runner groups", "Workflow jobs"). Unused fields are left out
 * unless a client reads them.
 */

/** Stable label ids: GitHub gives every label name an id; clients ignore it but the field is there. */
export class LabelIds {
  private readonly ids = new Map<string, number>();
  idOf(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.ids.size + 1;
      this.ids.set(name, id);
    }
    return id;
  }
}

export function encodeLabels(labels: readonly RunnerLabel[], ids: LabelIds) {
  return labels.map((l) => ({ id: ids.idOf(l.name), name: l.name, type: l.type }));
}

export function encodeRunner(runner: GitHubRunner, ids: LabelIds) {
  return {
    id: runner.id,
    name: runner.name,
    os: runner.os,
    status: runner.status,
    busy: runner.busy,
    ...(runner.runnerGroupId === undefined ? {} : { runner_group_id: runner.runnerGroupId }),
    labels: encodeLabels(runner.labels, ids),
  };
}

export function encodeRunnerGroup(group: RunnerGroup, org: string, baseUrl: string) {
  return {
    id: group.id,
    name: group.name,
    visibility: group.visibility,
    default: group.id === 1,
    inherited: false,
    allows_public_repositories: false,
    restricted_to_workflows: false,
    selected_workflows: [],
    workflow_restrictions_read_only: false,
    runners_url: `${baseUrl}/orgs/${org}/actions/runner-groups/${group.id}/runners`,
    ...(group.visibility === 'selected'
      ? { selected_repositories_url: `${baseUrl}/orgs/${org}/actions/runner-groups/${group.id}/repositories` }
      : {}),
  };
}

export function encodeRepository(id: number, org: string) {
  return { id, node_id: `R_${id}`, name: `repo-${id}`, full_name: `${org}/repo-${id}`, private: true };
}

export function encodeJob(job: WorkflowJob, owner: string, repo: string, baseUrl: string) {
  const repoUrl = `${baseUrl}/repos/${owner}/${repo}`;
  return {
    id: job.id,
    run_id: job.runId,
    run_url: `${repoUrl}/actions/runs/${job.runId}`,
    node_id: `J_${job.id}`,
    head_sha: '0000000000000000000000000000000000000000',
    url: `${repoUrl}/actions/jobs/${job.id}`,
    html_url: null,
    status: job.status,
    conclusion: job.conclusion,
    created_at: '1970-01-01T00:00:00Z',
    started_at: '1970-01-01T00:00:00Z',
    completed_at: null,
    name: `job-${job.id}`,
    steps: [],
    check_run_url: `${repoUrl}/check-runs/${job.id}`,
    labels: job.labels,
    runner_id: job.runnerId,
    runner_name: job.runnerName,
    runner_group_id: null,
    runner_group_name: null,
    workflow_name: null,
    head_branch: null,
  };
}

export function encodeInstallation(id: number, appId: string, owner: RunnerOwner, baseUrl: string) {
  const login = owner.kind === 'org' ? owner.org : owner.owner;
  return {
    id,
    app_id: Number(appId) || appId,
    account: { login, id: 1, type: 'Organization' },
    target_type: 'Organization',
    repository_selection: 'all',
    access_tokens_url: `${baseUrl}/app/installations/${id}/access_tokens`,
    permissions: { organization_self_hosted_runners: 'write', administration: 'write', actions: 'read' },
    events: ['workflow_job'],
    created_at: '1970-01-01T00:00:00Z',
    updated_at: '1970-01-01T00:00:00Z',
  };
}

/** GitHub list pagination: `per_page` (default 30, at most 100) and `page` (from 1), with a Link header. */
export function paginate<T>(
  items: readonly T[],
  url: URL,
  publicBase: string,
): { page: T[]; link: string | undefined } {
  const perPage = clamp(Number(url.searchParams.get('per_page') ?? 30) || 30, 1, 100);
  const page = Math.max(1, Math.floor(Number(url.searchParams.get('page') ?? 1)) || 1);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const at = (n: number) => {
    const next = new URL(url.toString());
    next.searchParams.set('per_page', String(perPage));
    next.searchParams.set('page', String(n));
    return `<${publicBase}${next.pathname}${next.search}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${at(page - 1)}; rel="prev"`, `${at(1)}; rel="first"`);
  if (page < lastPage) links.push(`${at(page + 1)}; rel="next"`, `${at(lastPage)}; rel="last"`);
  return { page: slice, link: links.length > 0 ? links.join(', ') : undefined };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(value)));
}
