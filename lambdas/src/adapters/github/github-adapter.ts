import type { GitHubConfig } from '../../config/schema.js';
import type { Clock } from '../../ports/clock.js';
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
} from '../../ports/github.js';
import type { SsmPort } from '../../ports/ssm.js';
import { GitHubClients } from './clients.js';
import { AppCredentialsProvider } from './credentials.js';
import { toFleetError } from './errors.js';
import { toJob, toLabel, toRunner, toRunnerGroup } from './mapping.js';
import type { FleetOctokitClient, OctokitSettings } from './octokit.js';

export interface OctokitGitHubDeps {
  readonly config: GitHubConfig;
  readonly ssm: SsmPort;
  readonly clock: Clock;
  readonly settings?: OctokitSettings;
}

const org = (owner: RunnerOwner & { kind: 'org' }) => ({ org: owner.org });
const repo = (owner: RunnerOwner & { kind: 'repo' }) => ({ owner: owner.owner, repo: owner.repo });

/** GitHubPort over the REST API (github.com or GHES), authenticated as a GitHub App installation. */
export class OctokitGitHub implements GitHubPort {
  private readonly clients: GitHubClients;

  constructor(private readonly deps: OctokitGitHubDeps) {
    const credentials = new AppCredentialsProvider(deps.ssm, deps.config, deps.clock);
    this.clients = new GitHubClients(deps.config, credentials, deps.clock, deps.settings ?? {});
  }

  listRunners(owner: RunnerOwner): Promise<GitHubRunner[]> {
    return this.call(owner, `list runners of ${ownerKey(owner)}`, async (kit) => {
      const runners =
        owner.kind === 'org'
          ? await kit.paginate('GET /orgs/{org}/actions/runners', { ...org(owner), per_page: 100 })
          : await kit.paginate('GET /repos/{owner}/{repo}/actions/runners', { ...repo(owner), per_page: 100 });
      return runners.map(toRunner);
    });
  }

  getRunner(owner: RunnerOwner, runnerId: number): Promise<GitHubRunner> {
    return this.call(owner, `get runner ${runnerId} of ${ownerKey(owner)}`, async (kit) => {
      const { data } =
        owner.kind === 'org'
          ? await kit.request('GET /orgs/{org}/actions/runners/{runner_id}', { ...org(owner), runner_id: runnerId })
          : await kit.request('GET /repos/{owner}/{repo}/actions/runners/{runner_id}', {
              ...repo(owner),
              runner_id: runnerId,
            });
      return toRunner(data);
    });
  }

  deleteRunner(owner: RunnerOwner, runnerId: number): Promise<void> {
    return this.call(owner, `delete runner ${runnerId} of ${ownerKey(owner)}`, async (kit) => {
      if (owner.kind === 'org') {
        await kit.request('DELETE /orgs/{org}/actions/runners/{runner_id}', { ...org(owner), runner_id: runnerId });
      } else {
        await kit.request('DELETE /repos/{owner}/{repo}/actions/runners/{runner_id}', {
          ...repo(owner),
          runner_id: runnerId,
        });
      }
    });
  }

  setCustomLabels(owner: RunnerOwner, runnerId: number, labels: readonly string[]): Promise<RunnerLabel[]> {
    return this.call(owner, `set labels of runner ${runnerId} of ${ownerKey(owner)}`, async (kit) => {
      const body = { runner_id: runnerId, labels: [...labels] };
      const { data } =
        owner.kind === 'org'
          ? await kit.request('PUT /orgs/{org}/actions/runners/{runner_id}/labels', { ...org(owner), ...body })
          : await kit.request('PUT /repos/{owner}/{repo}/actions/runners/{runner_id}/labels', {
              ...repo(owner),
              ...body,
            });
      return data.labels.map(toLabel);
    });
  }

  removeCustomLabels(owner: RunnerOwner, runnerId: number): Promise<RunnerLabel[]> {
    return this.call(owner, `remove labels of runner ${runnerId} of ${ownerKey(owner)}`, async (kit) => {
      const { data } =
        owner.kind === 'org'
          ? await kit.request('DELETE /orgs/{org}/actions/runners/{runner_id}/labels', {
              ...org(owner),
              runner_id: runnerId,
            })
          : await kit.request('DELETE /repos/{owner}/{repo}/actions/runners/{runner_id}/labels', {
              ...repo(owner),
              runner_id: runnerId,
            });
      return data.labels.map(toLabel);
    });
  }

  createRegistrationToken(owner: RunnerOwner): Promise<RegistrationToken> {
    return this.call(owner, `create registration token for ${ownerKey(owner)}`, async (kit) => {
      const { data } =
        owner.kind === 'org'
          ? await kit.request('POST /orgs/{org}/actions/runners/registration-token', org(owner))
          : await kit.request('POST /repos/{owner}/{repo}/actions/runners/registration-token', repo(owner));
      return { token: data.token, expiresAtMs: Date.parse(data.expires_at) };
    });
  }

  generateJitConfig(owner: RunnerOwner, request: JitConfigRequest): Promise<JitConfig> {
    return this.call(owner, `generate JIT config for ${ownerKey(owner)}`, async (kit) => {
      const body = {
        name: request.name,
        labels: [...request.labels],
        runner_group_id: request.runnerGroupId,
        ...(request.workFolder === undefined ? {} : { work_folder: request.workFolder }),
      };
      const { data } =
        owner.kind === 'org'
          ? await kit.request('POST /orgs/{org}/actions/runners/generate-jitconfig', { ...org(owner), ...body })
          : await kit.request('POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig', {
              ...repo(owner),
              ...body,
            });
      return { runnerId: data.runner.id, runnerName: data.runner.name, encodedJitConfig: data.encoded_jit_config };
    });
  }

  getJob(ref: RepoRef, jobId: number): Promise<WorkflowJob> {
    const owner: RunnerOwner = { kind: 'repo', owner: ref.owner, repo: ref.repo };
    return this.call(owner, `get job ${jobId} of ${ownerKey(owner)}`, async (kit) => {
      const { data } = await kit.request('GET /repos/{owner}/{repo}/actions/jobs/{job_id}', {
        owner: ref.owner,
        repo: ref.repo,
        job_id: jobId,
      });
      return toJob(data);
    });
  }

  rerunJob(ref: RepoRef, jobId: number): Promise<void> {
    const owner: RunnerOwner = { kind: 'repo', owner: ref.owner, repo: ref.repo };
    return this.call(owner, `re-run job ${jobId} of ${ownerKey(owner)}`, async (kit) => {
      await kit.request('POST /repos/{owner}/{repo}/actions/jobs/{job_id}/rerun', {
        owner: ref.owner,
        repo: ref.repo,
        job_id: jobId,
      });
    });
  }

  latestJobIds(ref: RepoRef, runId: number): Promise<number[]> {
    const owner: RunnerOwner = { kind: 'repo', owner: ref.owner, repo: ref.repo };
    return this.call(owner, `list the latest jobs of run ${runId} of ${ownerKey(owner)}`, async (kit) => {
      const jobs = await kit.paginate('GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs', {
        owner: ref.owner,
        repo: ref.repo,
        run_id: runId,
        filter: 'latest',
        per_page: 100,
      });
      return jobs.map((job) => Number(job.id));
    });
  }

  listRunnerGroups(orgName: string): Promise<RunnerGroup[]> {
    const owner: RunnerOwner = { kind: 'org', org: orgName };
    return this.call(owner, `list runner groups of ${orgName}`, async (kit) => {
      const groups = await kit.paginate('GET /orgs/{org}/actions/runner-groups', { org: orgName, per_page: 100 });
      // The list does not name a group's repositories; only `selected` groups have any to ask for.
      return Promise.all(
        groups.map(async (group) => {
          if (group.visibility !== 'selected') return toRunnerGroup(group, []);
          const repos = await kit.paginate('GET /orgs/{org}/actions/runner-groups/{runner_group_id}/repositories', {
            org: orgName,
            runner_group_id: group.id,
            per_page: 100,
          });
          return toRunnerGroup(
            group,
            repos.map((r) => r.id),
          );
        }),
      );
    });
  }

  createRunnerGroup(
    orgName: string,
    group: { name: string; visibility: 'selected' | 'all'; selectedRepositoryIds?: readonly number[] },
  ): Promise<RunnerGroup> {
    const owner: RunnerOwner = { kind: 'org', org: orgName };
    return this.call(owner, `create runner group in ${orgName}`, async (kit) => {
      const selected = group.visibility === 'selected' ? [...(group.selectedRepositoryIds ?? [])] : [];
      const { data } = await kit.request('POST /orgs/{org}/actions/runner-groups', {
        org: orgName,
        name: group.name,
        visibility: group.visibility,
        ...(group.visibility === 'selected' ? { selected_repository_ids: selected } : {}),
      });
      return toRunnerGroup(data, selected);
    });
  }

  addRunnerToGroup(orgName: string, groupId: number, runnerId: number): Promise<void> {
    const owner: RunnerOwner = { kind: 'org', org: orgName };
    return this.call(owner, `move runner ${runnerId} to group ${groupId} in ${orgName}`, async (kit) => {
      await kit.request('PUT /orgs/{org}/actions/runner-groups/{runner_group_id}/runners/{runner_id}', {
        org: orgName,
        runner_group_id: groupId,
        runner_id: runnerId,
      });
    });
  }

  private async call<T>(
    owner: RunnerOwner,
    operation: string,
    fn: (kit: FleetOctokitClient) => Promise<T>,
  ): Promise<T> {
    try {
      const kit = await this.clients.forOwner(owner);
      return await fn(kit);
    } catch (error) {
      throw toFleetError(error, operation, this.deps.clock.now());
    }
  }
}
