import { ConflictError, NotFoundError } from '../../../src/errors.js';
import type { GitHubPort, GitHubRunner, RunnerGroup, RunnerLabel, RunnerOwner } from '../../../src/ports/index.js';
import { ownerKey } from '../../../src/ports/index.js';

type MutableRunner = { -readonly [K in keyof GitHubRunner]: GitHubRunner[K] } & { owner: string };

/** A tiny GitHub for core tests: runners per owner, labels, groups, DELETE semantics of world-model.md. */
export class FakeGitHub implements GitHubPort {
  readonly runners = new Map<number, MutableRunner>();
  readonly groups = new Map<string, RunnerGroup[]>();
  readonly calls: string[] = [];
  /** Called before each call; may throw (rate limit, crash injection). */
  before: (call: string) => void = () => {};
  /** Called after each successful call; may throw (crash injection: the call took effect). */
  after: (call: string) => void = () => {};
  private nextGroupId = 100;

  addRunner(owner: RunnerOwner, runner: Partial<GitHubRunner> & { id: number; name: string }): MutableRunner {
    const full: MutableRunner = {
      os: 'linux',
      status: 'online',
      busy: false,
      labels: [
        { name: 'self-hosted', type: 'read-only' },
        { name: 'pool-a', type: 'custom' },
      ],
      ...(owner.kind === 'org' ? { runnerGroupId: 1 } : {}),
      ...runner,
      owner: ownerKey(owner),
    };
    this.runners.set(full.id, full);
    return full;
  }

  private async call<T>(name: string, body: () => T): Promise<T> {
    this.calls.push(name);
    this.before(name);
    const result = body();
    this.after(name);
    return result;
  }

  private find(owner: RunnerOwner, id: number): MutableRunner {
    const runner = this.runners.get(id);
    if (runner === undefined || runner.owner !== ownerKey(owner)) throw new NotFoundError(`runner ${id} not found`);
    return runner;
  }

  private view(r: MutableRunner): GitHubRunner {
    const { owner: _owner, ...rest } = r;
    return { ...rest, labels: [...rest.labels] };
  }

  listRunners(owner: RunnerOwner): Promise<GitHubRunner[]> {
    return this.call('listRunners', () =>
      [...this.runners.values()].filter((r) => r.owner === ownerKey(owner)).map((r) => this.view(r)),
    );
  }
  getRunner(owner: RunnerOwner, runnerId: number): Promise<GitHubRunner> {
    return this.call('getRunner', () => this.view(this.find(owner, runnerId)));
  }
  deleteRunner(owner: RunnerOwner, runnerId: number): Promise<void> {
    return this.call('deleteRunner', () => {
      const runner = this.find(owner, runnerId);
      if (runner.busy) throw new ConflictError('runner is busy');
      this.runners.delete(runnerId);
    });
  }
  setCustomLabels(owner: RunnerOwner, runnerId: number, labels: readonly string[]): Promise<RunnerLabel[]> {
    return this.call('setCustomLabels', () => {
      const runner = this.find(owner, runnerId);
      runner.labels = [
        ...runner.labels.filter((l) => l.type === 'read-only'),
        ...labels.map((name) => ({ name, type: 'custom' as const })),
      ];
      return [...runner.labels];
    });
  }
  removeCustomLabels(owner: RunnerOwner, runnerId: number): Promise<RunnerLabel[]> {
    return this.setCustomLabels(owner, runnerId, []);
  }
  createRegistrationToken(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }
  generateJitConfig(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }
  getJob(): Promise<never> {
    return Promise.reject(new Error('not used'));
  }
  listRunnerGroups(org: string): Promise<RunnerGroup[]> {
    return this.call('listRunnerGroups', () => [...(this.groups.get(org) ?? [])]);
  }
  createRunnerGroup(
    org: string,
    group: { name: string; visibility: 'selected' | 'all'; selectedRepositoryIds?: readonly number[] },
  ): Promise<RunnerGroup> {
    return this.call('createRunnerGroup', () => {
      const created: RunnerGroup = {
        id: this.nextGroupId++,
        name: group.name,
        visibility: group.visibility,
        selectedRepositoryIds: [...(group.selectedRepositoryIds ?? [])],
      };
      this.groups.set(org, [...(this.groups.get(org) ?? []), created]);
      return created;
    });
  }
  addRunnerToGroup(org: string, groupId: number, runnerId: number): Promise<void> {
    return this.call('addRunnerToGroup', () => {
      this.find({ kind: 'org', org }, runnerId).runnerGroupId = groupId;
    });
  }
}
