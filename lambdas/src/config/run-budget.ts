/**
 * How long one scale-down run may take, and so how long its lease must last (docs/safety.md,
 * guarantee 4). A run acts only while it holds the lease: it stops `LEASE_MARGIN_SECONDS` before
 * the lease expires, and the configuration refuses a lease shorter than the longest run this
 * estimate allows at the pools' maxima, so a healthy run never has to stop early.
 */

/**
 * A run stops acting this long before its lease expires: more than any one call can take once
 * started (the Lambda's own timeout, which Terraform keeps at most `ttl - margin`, ends the rest),
 * so no write of a run lands after another run may have taken the lease.
 */
export const LEASE_MARGIN_SECONDS = 60;

/**
 * One round of calls (a page, a batch, or one call per candidate across `concurrency.global`):
 * 2 s covers a GitHub or AWS call at its slow tail with one retry (a pessimistic figure: such calls
 * usually answer well under a second; no public percentile exists).
 */
export const CALL_ROUND_SECONDS = 2;

/** GitHub lists runners 100 per page; DescribeInstances pages of 1000; tag writes of 500; re-reads of 200. */
const RUNNER_PAGE = 100;
const INSTANCE_PAGE = 1000;
const TAG_BATCH = 500;
const REREAD_BATCH = 200;

export interface RunBudgetInput {
  readonly settleSeconds: number;
  readonly concurrency: { readonly global: number };
  readonly pools: Readonly<Record<string, { readonly owner: string; readonly maxRunners: number }>>;
}

const pages = (items: number, size: number): number => Math.max(1, Math.ceil(items / size));

/**
 * The longest run at the pools' maxima, in seconds: the settle wait, plus rounds of calls.
 * Observation: the instance pages, each owner's runner pages, one queue read per pool. Action, for
 * every instance a candidate: mark and quarantine-time tag batches, the quarantine calls, the
 * re-read batches, the DELETEs, the terminate batches, and the lease's own two calls.
 */
export function longestRunSeconds(input: RunBudgetInput): number {
  const pools = Object.values(input.pools);
  const instances = pools.reduce((sum, pool) => sum + pool.maxRunners, 0);
  const perOwner = new Map<string, number>();
  for (const pool of pools) perOwner.set(pool.owner, (perOwner.get(pool.owner) ?? 0) + pool.maxRunners);
  const observe =
    pages(instances, INSTANCE_PAGE) +
    [...perOwner.values()].reduce((sum, n) => sum + pages(n, RUNNER_PAGE), 0) +
    pools.length;
  const perCandidate = pages(instances, input.concurrency.global);
  const act =
    2 * pages(instances, TAG_BATCH) + // mark, quarantine time
    perCandidate + // quarantine
    pages(instances, REREAD_BATCH) + // re-read
    perCandidate + // DELETE
    pages(instances, TAG_BATCH) + // terminate
    2; // lease acquire and release
  return input.settleSeconds + (observe + act) * CALL_ROUND_SECONDS;
}

/** The shortest lease TTL the configuration accepts: the longest run and the margin. */
export function minimumLeaseSeconds(input: RunBudgetInput): number {
  return longestRunSeconds(input) + LEASE_MARGIN_SECONDS;
}
