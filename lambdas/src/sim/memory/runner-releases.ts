/**
 * actions/runner releases in memory: the port's double (and the backend of the releases facade).
 * Tests publish releases with their tarballs, and may make the next calls fail.
 */
import { NotFoundError } from '../../errors.js';
import type { RunnerRelease, RunnerReleasesPort } from '../../ports/runner-releases.js';

/** GitHub's list endpoint answers one page; the adapter asks for 30. */
const PAGE = 30;

export class MemoryRunnerReleases implements RunnerReleasesPort {
  private readonly published: RunnerRelease[] = [];
  private readonly files = new Map<string, Uint8Array>();
  /** Errors the next calls throw, in order (a rate limit, an outage). */
  readonly failures: Error[] = [];
  downloads = 0;

  publish(release: RunnerRelease, tarballs: Readonly<Record<string, Uint8Array>> = {}): void {
    this.published.push(release);
    for (const [name, bytes] of Object.entries(tarballs)) this.files.set(`${release.version}/${name}`, bytes);
  }

  recent(): Promise<RunnerRelease[]> {
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    // Newest first, as GitHub lists them (by publication).
    return Promise.resolve([...this.published].sort((a, b) => b.publishedMs - a.publishedMs).slice(0, PAGE));
  }

  download(version: string, assetName: string): Promise<Uint8Array> {
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    const bytes = this.files.get(`${version}/${assetName}`);
    if (bytes === undefined) return Promise.reject(new NotFoundError(`no asset ${assetName} in v${version}`));
    this.downloads++;
    return Promise.resolve(bytes);
  }
}
