import type {
  GitHubPort,
  GitHubRunner,
  JitConfig,
  JitConfigRequest,
  RegistrationToken,
  RepoRef,
  RunnerGroup,
  RunnerLabel,
  RunnerOwner,
  WorkflowJob,
} from '../../ports/github.js';
import { ownerKey } from '../../ports/github.js';
import { TransientError } from '../../errors.js';
import type { World } from '../world/world.js';
import { gated, openGate, type CallGate } from './gate.js';

function base(owner: RunnerOwner): string {
  return owner.kind === 'org' ? '/orgs/{org}' : '/repos/{owner}/{repo}';
}

/** The GitHub port over the world, in process: every call counted and rate limited like the REST door. */
export class InProcessGitHub implements GitHubPort {
  constructor(
    private readonly world: World,
    private readonly gate: CallGate = openGate,
  ) {}

  private call<T>(installation: string, endpoint: string, run: () => T): Promise<T> {
    const mutation = !endpoint.startsWith('GET ');
    const step = `github.${endpoint}`;
    const latency = this.world.latency('github');
    const fault = this.world.counters.githubFault();
    if (fault === 'none' || fault === 'error') {
      return gated(
        this.gate,
        step,
        () => {
          this.world.counters.githubCall(installation, endpoint, mutation);
          if (fault === 'error') throw new TransientError(`${endpoint}: HTTP 502 Bad Gateway`);
          return run();
        },
        latency,
      );
    }
    // A timed-out call: the client waits, then gives up, whether or not GitHub carried it out.
    const waitMs = this.world.ctx.params.github.timeoutSeconds * 1000;
    return gated(
      this.gate,
      step,
      () => {
        this.world.counters.githubCall(installation, endpoint, mutation);
        if (fault === 'timeout-applied') run();
      },
      latency,
    )
      .then(() => latency.sleep(waitMs))
      .then(() => {
        throw new TransientError(`${endpoint}: request timed out after ${waitMs} ms`);
      });
  }

  listRunners(owner: RunnerOwner): Promise<GitHubRunner[]> {
    const rest = this.world.rest;
    return this.call(ownerKey(owner), `GET ${base(owner)}/actions/runners`, () => rest.listRunners(owner));
  }

  getRunner(owner: RunnerOwner, runnerId: number): Promise<GitHubRunner> {
    return this.call(ownerKey(owner), `GET ${base(owner)}/actions/runners/{id}`, () =>
      this.world.rest.getRunner(owner, runnerId),
    );
  }

  deleteRunner(owner: RunnerOwner, runnerId: number): Promise<void> {
    return this.call(ownerKey(owner), `DELETE ${base(owner)}/actions/runners/{id}`, () =>
      this.world.rest.deleteRunner(owner, runnerId),
    );
  }

  setCustomLabels(owner: RunnerOwner, runnerId: number, labels: readonly string[]): Promise<RunnerLabel[]> {
    return this.call(ownerKey(owner), `PUT ${base(owner)}/actions/runners/{id}/labels`, () =>
      this.world.rest.setCustomLabels(owner, runnerId, labels),
    );
  }

  removeCustomLabels(owner: RunnerOwner, runnerId: number): Promise<RunnerLabel[]> {
    return this.call(ownerKey(owner), `DELETE ${base(owner)}/actions/runners/{id}/labels`, () =>
      this.world.rest.removeCustomLabels(owner, runnerId),
    );
  }

  createRegistrationToken(owner: RunnerOwner): Promise<RegistrationToken> {
    return this.call(ownerKey(owner), `POST ${base(owner)}/actions/runners/registration-token`, () =>
      this.world.rest.createRegistrationToken(owner),
    );
  }

  generateJitConfig(owner: RunnerOwner, request: JitConfigRequest): Promise<JitConfig> {
    return this.call(ownerKey(owner), `POST ${base(owner)}/actions/runners/generate-jitconfig`, () =>
      this.world.rest.generateJitConfig(owner, request),
    );
  }

  getJob(repo: RepoRef, jobId: number): Promise<WorkflowJob> {
    return this.call(`${repo.owner}/${repo.repo}`, 'GET /repos/{owner}/{repo}/actions/jobs/{id}', () =>
      this.world.rest.getJob(repo, jobId),
    );
  }

  rerunJob(repo: RepoRef, jobId: number): Promise<void> {
    return this.call(`${repo.owner}/${repo.repo}`, 'POST /repos/{owner}/{repo}/actions/jobs/{id}/rerun', () =>
      this.world.rest.rerunJob(repo, jobId),
    );
  }

  latestJobIds(repo: RepoRef, runId: number): Promise<number[]> {
    return this.call(`${repo.owner}/${repo.repo}`, 'GET /repos/{owner}/{repo}/actions/runs/{id}/jobs', () =>
      this.world.rest.latestJobIds(repo, runId),
    );
  }

  listRunnerGroups(org: string): Promise<RunnerGroup[]> {
    return this.call(org, 'GET /orgs/{org}/actions/runner-groups', () => this.world.rest.listRunnerGroups(org));
  }

  createRunnerGroup(
    org: string,
    group: { name: string; visibility: 'selected' | 'all'; selectedRepositoryIds?: readonly number[] },
  ): Promise<RunnerGroup> {
    return this.call(org, 'POST /orgs/{org}/actions/runner-groups', () =>
      this.world.rest.createRunnerGroup(org, group),
    );
  }

  addRunnerToGroup(org: string, groupId: number, runnerId: number): Promise<void> {
    return this.call(org, 'PUT /orgs/{org}/actions/runner-groups/{group}/runners/{id}', () =>
      this.world.rest.addRunnerToGroup(org, groupId, runnerId),
    );
  }
}
