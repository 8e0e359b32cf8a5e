import type { PoolConfig } from '../../config/schema.js';
import { PermanentError } from '../../errors.js';
import type { GitHubPort, RunnerOwner } from '../../ports/index.js';
import { quarantineLabel } from './signals.js';

/**
 * The soft deregistration (architecture.md §3 step 3): take a runner out of job matching
 * without touching its registration, so a job already assigned runs on.
 * Org runners move into a runner group no repository may use (covers every label, default
 * ones included). Repo runners get their custom labels replaced by a unique quarantine label
 * (covers jobs that target a custom label, which is why pools must be targeted by one).
 */
export class QuarantineGroups {
  private readonly byOrg = new Map<string, Promise<number>>();

  constructor(
    private readonly github: GitHubPort,
    private readonly groupName: string,
  ) {}

  /** The quarantine group's id, found or created once per org per run. */
  resolve(org: string): Promise<number> {
    let found = this.byOrg.get(org);
    if (found === undefined) {
      found = this.findOrCreate(org);
      // A failure (rate limit, outage) is not cached: the next instance asks again.
      found.catch(() => this.byOrg.delete(org));
      this.byOrg.set(org, found);
    }
    return found;
  }

  private async findOrCreate(org: string): Promise<number> {
    const groups = await this.github.listRunnerGroups(org);
    const existing = groups.find((g) => g.name === this.groupName);
    if (existing === undefined) {
      const created = await this.github.createRunnerGroup(org, {
        name: this.groupName,
        visibility: 'selected',
        selectedRepositoryIds: [],
      });
      return created.id;
    }
    // A group that admits a repository would not quarantine anything: refuse rather than pretend.
    if (existing.visibility !== 'selected' || existing.selectedRepositoryIds.length > 0) {
      throw new PermanentError(
        `runner group "${this.groupName}" of ${org} admits repositories; quarantine needs a group with visibility "selected" and no repositories (set quarantineGroupName to an unused name, or remove its repository access)`,
      );
    }
    return existing.id;
  }
}

export async function quarantineRunner(
  github: GitHubPort,
  groups: QuarantineGroups,
  owner: RunnerOwner,
  runnerId: number,
  instanceId: string,
): Promise<void> {
  if (owner.kind === 'org') {
    await github.addRunnerToGroup(owner.org, await groups.resolve(owner.org), runnerId);
  } else {
    await github.setCustomLabels(owner, runnerId, [quarantineLabel(instanceId)]);
  }
}

/** Undoes the quarantine: the pool's labels, or the pool's runner group. */
export async function restoreRunner(
  github: GitHubPort,
  owner: RunnerOwner,
  runnerId: number,
  pool: Pick<PoolConfig, 'labels' | 'runnerGroupId'>,
): Promise<void> {
  if (owner.kind === 'org') await github.addRunnerToGroup(owner.org, pool.runnerGroupId, runnerId);
  else await github.setCustomLabels(owner, runnerId, pool.labels);
}
