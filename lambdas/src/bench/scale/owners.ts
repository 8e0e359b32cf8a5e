import type { RunnerOwner } from '../../ports/github.js';

/** One owner of the scale fixture: an org, or a repository of a user account; one pool each. */
export interface BenchOwner {
  readonly key: string;
  readonly owner: RunnerOwner;
  readonly pool: string;
  /** The account the GitHub App is installed on (an org's installation covers its repositories). */
  readonly account: string;
  readonly installationId: number;
  readonly runners: number;
}

/**
 * `count` owners, alternating org and repository owners (issue 4: "mix org and repo owners"),
 * and `instances` spread over them round-robin.
 */
export function benchOwners(instances: number, count: number): BenchOwner[] {
  return Array.from({ length: count }, (_, i): BenchOwner => {
    const n = String(i + 1).padStart(2, '0');
    const runners = Math.floor(instances / count) + (i < instances % count ? 1 : 0);
    const base = { pool: `p${n}`, installationId: 1000 + i, runners };
    if (i % 2 === 0)
      return {
        ...base,
        key: `bench-org-${n}`,
        owner: { kind: 'org', org: `bench-org-${n}` },
        account: `bench-org-${n}`,
      };
    const account = `bench-user-${n}`;
    return { ...base, key: `${account}/app`, owner: { kind: 'repo', owner: account, repo: 'app' }, account };
  });
}

/** GitHub's list-runners pages at `per_page=100`, the most it allows (the adapter asks for it). */
export const RUNNERS_PER_PAGE = 100;

/**
 * The fewest GitHub calls a run that retires every runner can make: one runner list per page
 * per owner, quarantine and delete per runner, and per org finding and creating the quarantine
 * runner group. Authentication (installation look-up, token) is not counted: it is the overhead
 * the measured figure is compared against.
 */
export function floorCalls(owners: readonly BenchOwner[]): number {
  let calls = 0;
  for (const o of owners) {
    calls += Math.max(1, Math.ceil(o.runners / RUNNERS_PER_PAGE)) + 2 * o.runners;
    if (o.owner.kind === 'org') calls += 2;
  }
  return calls;
}
