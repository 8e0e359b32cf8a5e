import type { PoolConfig } from '../../config/schema.js';

/**
 * Which pool serves a job. Pure: labels in, pool name out.
 *
 * GitHub assigns a job to a runner whose labels include every label of the job's `runs-on`,
 * compared case-insensitively ("Choosing self-hosted runners": "a runner must have all the
 * labels"; world-model.md, job assignment row). A runner of a pool carries the default labels
 * `self-hosted`, its OS and its architecture plus the pool's custom labels, so a job is
 * servable by a pool when every job label is one of those.
 *
 * One rule stricter than GitHub: the job must name at least one of the pool's custom labels.
 * A job asking only for default labels (`runs-on: self-hosted`) could run on any pool's
 * runner, and the retirement quarantine of a repo runner cannot keep such a job away
 * (architecture.md §3, step 3: "pools must be targeted by a custom label"), so we do not
 * launch runners for it. Upstream (`workflow_label_check_all`) checks the same ⊆ relation.
 */

export type Architecture = 'x64' | 'arm64';

/**
 * Graviton families carry a `g` after the generation digit (m7g, c7gn, r6gd, t4g, g5g, hpc7g),
 * plus `a1`. GPU families that start with `g` (g4dn, g5) are x86. Amazon EC2 instance type naming
 * conventions ("Instance type naming conventions", EC2 user guide).
 */
export function architectureOf(instanceType: string): Architecture {
  const family = instanceType.split('.')[0] ?? '';
  if (family === 'a1') return 'arm64';
  return /^[a-z]+\d+[a-z-]*g/.test(family) ? 'arm64' : 'x64';
}

/**
 * The default labels the pool's runners carry: `self-hosted`, `linux` (the agent is Linux
 * only) and the architecture, when every instance type of the pool agrees on one. A pool that
 * mixes architectures gets no architecture label, so a job that asks for one is not routed to it.
 */
export function defaultLabels(pool: Pick<PoolConfig, 'instanceTypes'>): string[] {
  const arches = new Set(pool.instanceTypes.map(architectureOf));
  const [only] = arches;
  return arches.size === 1 && only !== undefined ? ['self-hosted', 'linux', only] : ['self-hosted', 'linux'];
}

/** Every label a runner of the pool registers with (JIT config `labels`): defaults then the pool's own. */
export function runnerLabels(pool: Pick<PoolConfig, 'instanceTypes' | 'labels'>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const label of [...defaultLabels(pool), ...pool.labels]) {
    const key = label.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(label);
  }
  return out;
}

/** The pool fields label matching reads. */
export type MatchedPool = Pick<PoolConfig, 'instanceTypes' | 'labels' | 'labelMatchers' | 'exactMatch'>;

/**
 * Whether a runner of the pool could take the job at all: GitHub assigns a job only to a runner
 * that carries every label it asks for, and we also want one of the pool's custom labels (the
 * quarantine rule above). Not configurable: routing a job elsewhere launches a runner GitHub will
 * never give it (upstream's any-label match does, and the runner idles until scale-down).
 */
export function poolServesLabels(
  pool: Pick<PoolConfig, 'instanceTypes' | 'labels'>,
  jobLabels: readonly string[],
): boolean {
  const custom = new Set(pool.labels.map((l) => l.toLowerCase()));
  const all = new Set(runnerLabels(pool).map((l) => l.toLowerCase()));
  const wanted = jobLabels.map((l) => l.toLowerCase());
  return wanted.some((l) => custom.has(l)) && wanted.every((l) => all.has(l));
}

/**
 * The pool's own matchers, as upstream's `matcherConfig` reads them (webhook `canRunJob`): with
 * `exactMatch` every job label must be in one matcher, without it one shared label is enough.
 * The matchers default to the runner's labels, which leaves `poolServesLabels` the whole rule.
 */
export function matchersAccept(pool: MatchedPool, jobLabels: readonly string[]): boolean {
  const matchers = (pool.labelMatchers ?? [runnerLabels(pool)]).map((m) => new Set(m.map((l) => l.toLowerCase())));
  const wanted = jobLabels.map((l) => l.toLowerCase());
  return matchers.some((m) => (pool.exactMatch ? wanted.every((l) => m.has(l)) : wanted.some((l) => m.has(l))));
}

/** The repository a job belongs to, as the payload names it. */
export interface JobRepository {
  readonly owner: string;
  readonly name: string;
}

/** Org pools serve the org's repositories; repo pools only their own repository. Logins compare case-insensitively. */
export function poolServesRepository(pool: Pick<PoolConfig, 'owner' | 'ownerType'>, repo: JobRepository): boolean {
  const owner = pool.owner.toLowerCase();
  if (pool.ownerType === 'org') return owner === repo.owner.toLowerCase();
  return owner === `${repo.owner}/${repo.name}`.toLowerCase();
}

/**
 * The pool for a job, or undefined. Pools are tried in upstream's order (webhook `dispatch`):
 * pools with `exactMatch` first, then by ascending `priority` (lower is preferred: give the
 * cheaper pool the lower number), then by name, so the choice is deterministic.
 */
export function matchPool(
  pools: Readonly<Record<string, PoolConfig>>,
  job: { readonly labels: readonly string[]; readonly repository: JobRepository },
): string | undefined {
  return Object.entries(pools)
    .sort(
      ([a, p], [b, q]) => Number(q.exactMatch) - Number(p.exactMatch) || p.priority - q.priority || (a < b ? -1 : 1),
    )
    .find(
      ([, pool]) =>
        poolServesRepository(pool, job.repository) &&
        poolServesLabels(pool, job.labels) &&
        matchersAccept(pool, job.labels),
    )?.[0];
}

/**
 * Why no pool takes a job: `only_default_labels` when it asks for
 * nothing but labels every runner carries (`runs-on: self-hosted`), which no pool serves by
 * design (a quarantine cannot keep such a job off a runner: docs/safety.md); `no_matching_pool`
 * otherwise.
 */
export function refusalReason(
  pools: Readonly<Record<string, PoolConfig>>,
  jobLabels: readonly string[],
): 'only_default_labels' | 'no_matching_pool' {
  const defaults = new Set(Object.values(pools).flatMap((p) => defaultLabels(p)));
  const onlyDefaults = jobLabels.length > 0 && jobLabels.every((l) => defaults.has(l.toLowerCase()));
  return onlyDefaults ? 'only_default_labels' : 'no_matching_pool';
}
