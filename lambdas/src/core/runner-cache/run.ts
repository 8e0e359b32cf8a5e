/**
 * One run of the runner-cache function: make the artifact bucket hold, verified, the actions/runner
 * tarball of every version and architecture the pools use, and point `latest` pools at the newest
 * release. A tarball is stored only when its bytes match the SHA-256 it is expected to have: the
 * module's pinned one for a pinned version, GitHub's published one (release notes and asset digest)
 * for the newest release. A failure for one tarball never stops the others; the run then throws,
 * so Lambda's Errors metric and the module's alarm see it, and the next scheduled run tries again.
 */
import { createHash } from 'node:crypto';
import { FleetError, NotFoundError, PermanentError, describeError, isRetryable } from '../../errors.js';
import type { Log, Metrics } from '../../observability/types.js';
import type { ArtifactStorePort } from '../../ports/artifact-store.js';
import type { Clock } from '../../ports/clock.js';
import type { RunnerRelease, RunnerReleasesPort } from '../../ports/runner-releases.js';
import { latestPointerKey, pointerText, tarballKey, tarballName, type RunnerArch } from './keys.js';
import { daysBehind, newest, publishedSha256 } from './releases.js';

export interface PinnedRunner {
  readonly version: string;
  readonly arch: RunnerArch;
  readonly sha256: string;
}

export interface RunnerCacheConfig {
  /** Architectures of pools that run the newest release (`runner_version = "latest"`). */
  readonly latest: readonly RunnerArch[];
  /** Pinned versions the pools use, with the module's checksums. */
  readonly pinned: readonly PinnedRunner[];
}

export interface RunnerCacheDeps {
  readonly store: ArtifactStorePort;
  readonly releases: RunnerReleasesPort;
  readonly clock: Clock;
  readonly log: Log;
  readonly metrics: Metrics;
}

export interface RunnerCacheReport {
  /** Keys written this run, and keys already holding the expected bytes. */
  stored: string[];
  current: string[];
  failed: { key: string; error: string }[];
  /** The newest release and, per pinned version, the days since a newer one came out. */
  newest?: string;
  behind: Record<string, number>;
}

/** A failed run: each tarball's failure, retryable when any of them may succeed on the next run. */
export class RunnerCacheError extends FleetError {
  readonly retryable: boolean;
  constructor(
    readonly failures: readonly { key: string; error: string }[],
    retryable: boolean,
  ) {
    super(`runner cache: ${failures.length} tarball(s) not stored: ${failures.map((f) => f.key).join(', ')}`);
    this.retryable = retryable;
  }
}

interface Wanted {
  readonly version: string;
  readonly arch: RunnerArch;
  readonly sha256: string;
  readonly pointer: boolean;
}

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * What should be in the bucket, deduplicated by key (a pinned version may also be the newest),
 * and, per `latest` architecture GitHub's metadata cannot vouch for, the reason it is left out.
 */
export function wantedTarballs(
  config: RunnerCacheConfig,
  latest: RunnerRelease | undefined,
): { wanted: Wanted[]; refused: { key: string; error: unknown }[] } {
  const byKey = new Map<string, Wanted>();
  const refused: { key: string; error: unknown }[] = [];
  for (const pin of config.pinned) byKey.set(tarballKey(pin.version, pin.arch), { ...pin, pointer: false });
  const archs = latest === undefined ? [] : [...new Set(config.latest)];
  for (const arch of archs) {
    if (latest === undefined) break;
    const key = tarballKey(latest.version, arch);
    try {
      const sha256 = publishedSha256(latest, arch);
      const pinned = byKey.get(key);
      if (pinned !== undefined && pinned.sha256 !== sha256) {
        throw new PermanentError(`${key}: GitHub's published SHA-256 differs from the module's pinned one`);
      }
      byKey.set(key, { version: latest.version, arch, sha256, pointer: true });
    } catch (error) {
      refused.push({ key, error });
    }
  }
  return { wanted: [...byKey.values()], refused };
}

async function ensureTarball(deps: RunnerCacheDeps, want: Wanted): Promise<'stored' | 'current'> {
  const key = tarballKey(want.version, want.arch);
  const head = await deps.store.head(key);
  if (head?.sha256 === want.sha256) return 'current';
  const bytes = await deps.releases.download(want.version, tarballName(want.version, want.arch));
  const actual = sha256Hex(bytes);
  if (actual !== want.sha256) {
    deps.metrics.count('RunnerCacheChecksumMismatch');
    throw new PermanentError(
      `${tarballName(want.version, want.arch)}: downloaded SHA-256 ${actual} is not the expected ${want.sha256}`,
    );
  }
  await deps.store.put(key, bytes, want.sha256, 'application/gzip');
  return 'stored';
}

async function ensurePointer(deps: RunnerCacheDeps, want: Wanted): Promise<void> {
  const key = latestPointerKey(want.arch);
  const text = pointerText(want.version, want.sha256);
  const current = await deps.store.getText(key).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  if (current === text) return;
  const body = new TextEncoder().encode(text);
  await deps.store.put(key, body, sha256Hex(body), 'text/plain');
  deps.log.info('runner cache points latest at a new release', { arch: want.arch, version: want.version });
}

export async function runRunnerCache(deps: RunnerCacheDeps, config: RunnerCacheConfig): Promise<RunnerCacheReport> {
  const report: RunnerCacheReport = { stored: [], current: [], failed: [], behind: {} };
  let retryable = false;
  const fail = (key: string, error: unknown) => {
    report.failed.push({ key, error: describeError(error).message });
    retryable ||= isRetryable(error);
    deps.log.error('runner cache could not store a tarball', { key, error: describeError(error) });
  };

  // One call per run serves both the `latest` pools and the pinned versions' age.
  let releases: RunnerRelease[] = [];
  try {
    releases = await deps.releases.recent();
  } catch (error) {
    fail('releases', error);
  }
  const latest = newest(releases);
  report.newest = latest?.version;
  if (releases.length > 0) {
    for (const pin of config.pinned) report.behind[pin.version] = daysBehind(pin.version, releases, deps.clock.now());
  }
  deps.metrics.count('PinnedRunnerDaysBehind', Math.max(0, ...Object.values(report.behind)));

  const { wanted, refused } = wantedTarballs(config, latest);
  for (const { key, error } of refused) fail(key, error);
  for (const want of wanted) {
    const key = tarballKey(want.version, want.arch);
    try {
      const outcome = await ensureTarball(deps, want);
      (outcome === 'stored' ? report.stored : report.current).push(key);
      if (want.pointer) await ensurePointer(deps, want);
    } catch (error) {
      fail(key, error);
    }
  }
  deps.metrics.count('RunnerCacheStored', report.stored.length);
  deps.metrics.count('RunnerCacheFailed', report.failed.length);
  if (report.failed.length > 0) throw new RunnerCacheError(report.failed, retryable);
  return report;
}
