/**
 * actions/runner releases as GitHub publishes them: the release metadata (version, date, notes,
 * asset digests) and the tarballs. Errors: NotFoundError (no such release), RateLimitedError
 * (GitHub's unauthenticated limit), TransientError, PermanentError.
 */

export interface RunnerReleaseAsset {
  readonly name: string;
  /** GitHub's own digest of the asset (`sha256:<hex>` in the API), when it reports one. */
  readonly sha256?: string;
}

export interface RunnerRelease {
  /** Without the leading `v` (2.330.0). */
  readonly version: string;
  readonly publishedMs: number;
  /** The release notes (markdown), where each tarball's SHA-256 sits between markers. */
  readonly notes: string;
  readonly assets: readonly RunnerReleaseAsset[];
}

export interface RunnerReleasesPort {
  /** The most recent releases (GitHub's first page, newest first), drafts and prereleases left out. */
  recent(): Promise<RunnerRelease[]>;
  /** The bytes of one release asset (actions-runner-linux-x64-2.330.0.tar.gz). */
  download(version: string, assetName: string): Promise<Uint8Array>;
}
