/**
 * Pure reading of actions/runner release metadata: the SHA-256 GitHub publishes for a tarball,
 * version order, and how long a pinned version has been behind.
 */
import { PermanentError } from '../../errors.js';
import type { RunnerRelease } from '../../ports/runner-releases.js';
import { tarballName, type RunnerArch } from './keys.js';

const VERSION = /^(\d+)\.(\d+)\.(\d+)$/;
const SHA256 = /^[0-9a-f]{64}$/;

export function isRunnerVersion(value: string): boolean {
  return VERSION.test(value);
}

/** Negative when `a` is older than `b`. Both must be x.y.z. */
export function compareVersions(a: string, b: string): number {
  const pa = VERSION.exec(a);
  const pb = VERSION.exec(b);
  if (!pa || !pb) throw new PermanentError(`not an actions/runner version: ${pa ? b : a}`);
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The release notes carry each tarball's SHA-256 between `<!-- BEGIN SHA linux-x64 -->` and
 * `<!-- END SHA linux-x64 -->` (actions/runner releaseNote.md template). Only the text between the
 * markers counts: the notes hold other 64-hex strings (commit ids).
 */
export function notesSha256(notes: string, arch: RunnerArch): string | undefined {
  const platform = `linux-${arch}`;
  const begin = `<!-- BEGIN SHA ${platform} -->`;
  const from = notes.indexOf(begin);
  if (from < 0) return undefined;
  const to = notes.indexOf(`<!-- END SHA ${platform} -->`, from + begin.length);
  if (to < 0) return undefined;
  const sum = notes
    .slice(from + begin.length, to)
    .trim()
    .toLowerCase();
  return SHA256.test(sum) ? sum : undefined;
}

/**
 * The SHA-256 GitHub publishes for the release's tarball: from the notes and from the asset's own
 * digest (the API's `digest`). Both, when present, must agree; at least one must be there. A
 * release without either is refused: the cache never stores a tarball it cannot verify.
 */
export function publishedSha256(release: RunnerRelease, arch: RunnerArch): string {
  const name = tarballName(release.version, arch);
  const fromNotes = notesSha256(release.notes, arch);
  const fromAsset = release.assets.find((asset) => asset.name === name)?.sha256?.toLowerCase();
  if (fromNotes !== undefined && fromAsset !== undefined && fromNotes !== fromAsset) {
    throw new PermanentError(
      `actions/runner ${release.version}: the release notes and the asset digest of ${name} disagree`,
    );
  }
  const sum = fromNotes ?? fromAsset;
  if (sum === undefined || !SHA256.test(sum)) {
    throw new PermanentError(`actions/runner ${release.version}: no published SHA-256 for ${name}`);
  }
  return sum;
}

/** The newest release of the list (GitHub lists newest first, but order is not relied on). */
export function newest(releases: readonly RunnerRelease[]): RunnerRelease | undefined {
  return releases.reduce<RunnerRelease | undefined>(
    (best, r) => (best === undefined || compareVersions(r.version, best.version) > 0 ? r : best),
    undefined,
  );
}

const DAY_MS = 86_400_000;

/**
 * Days since the oldest release newer than `version` was published: GitHub stops sending jobs to
 * a runner that has not installed a release within 30 days of its publication ("install each new
 * runner release within 30 days", GitHub's 2026 enforcement of minimum runner versions). 0 when
 * `version` is the newest listed.
 */
export function daysBehind(version: string, releases: readonly RunnerRelease[], nowMs: number): number {
  const newer = releases.filter((r) => compareVersions(r.version, version) > 0);
  if (newer.length === 0) return 0;
  const firstNewerMs = Math.min(...newer.map((r) => r.publishedMs));
  return Math.max(0, Math.floor((nowMs - firstNewerMs) / DAY_MS));
}
