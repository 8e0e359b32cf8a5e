/**
 * actions/runner releases over GitHub's public REST API and release downloads, with Node's fetch.
 * Unauthenticated: the releases of a public repository need no token, and the function holds none
 * (GitHub allows 60 such requests an hour per address; a run makes one, plus one download per
 * tarball it lacks). Answers map onto the port's errors as the Octokit adapter's do (errors.ts:
 * rate limits → RateLimitedError, 404 → NotFoundError, 5xx → TransientError); a network failure
 * is a TransientError.
 */
import { z } from 'zod';
import { PermanentError, TransientError } from '../../errors.js';
import { toFleetError } from './errors.js';
import type { RunnerRelease, RunnerReleasesPort } from '../../ports/runner-releases.js';

export interface RunnerReleasesOptions {
  /** https://api.github.com (actions/runner lives on github.com, also for GHES users). */
  readonly apiUrl: string;
  /** https://github.com/actions/runner/releases/download */
  readonly downloadUrl: string;
  /** Refuse a body larger than this (a tarball was about 100 MB in 2021, actions/runner#1568). */
  readonly maxDownloadBytes?: number;
  readonly fetch?: typeof fetch;
}

const releaseSchema = z.object({
  tag_name: z.string(),
  draft: z.boolean(),
  prerelease: z.boolean(),
  published_at: z.string().nullable(),
  body: z.string().nullable(),
  assets: z.array(z.object({ name: z.string(), digest: z.string().nullable().optional() })),
});

const TAG = /^v(\d+\.\d+\.\d+)$/;
const DIGEST = /^sha256:([0-9a-f]{64})$/i;

function toRelease(raw: z.infer<typeof releaseSchema>): RunnerRelease | undefined {
  const version = TAG.exec(raw.tag_name)?.[1];
  const publishedMs = raw.published_at === null ? NaN : Date.parse(raw.published_at);
  if (raw.draft || raw.prerelease || version === undefined || Number.isNaN(publishedMs)) return undefined;
  return {
    version,
    publishedMs,
    notes: raw.body ?? '',
    assets: raw.assets.map((a) => {
      const sha256 = DIGEST.exec(a.digest ?? '')?.[1]?.toLowerCase();
      return sha256 === undefined ? { name: a.name } : { name: a.name, sha256 };
    }),
  };
}

export class FetchRunnerReleases implements RunnerReleasesPort {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: RunnerReleasesOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async recent(): Promise<RunnerRelease[]> {
    const response = await this.get(
      `${this.options.apiUrl}/repos/actions/runner/releases?per_page=30`,
      'list releases',
      20_000,
    );
    const parsed = z.array(releaseSchema).safeParse(await response.json());
    if (!parsed.success) throw new PermanentError('GitHub list releases: unexpected response shape');
    return parsed.data.map(toRelease).filter((r): r is RunnerRelease => r !== undefined);
  }

  async download(version: string, assetName: string): Promise<Uint8Array> {
    const url = `${this.options.downloadUrl}/v${encodeURIComponent(version)}/${encodeURIComponent(assetName)}`;
    const response = await this.get(url, `download ${assetName}`, 300_000);
    const limit = this.options.maxDownloadBytes ?? 512 * 1024 * 1024;
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > limit)
      throw new PermanentError(`GitHub download ${assetName}: ${declared} bytes is over the ${limit} limit`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.byteLength > limit)
      throw new PermanentError(`GitHub download ${assetName}: over the ${limit} byte limit`);
    return bytes;
  }

  private async get(url: string, what: string, timeoutMs: number): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetch(url, {
        headers: {
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          'user-agent': 'github-runner-fleet',
        },
        redirect: 'follow',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new TransientError(`GitHub ${what}: ${error instanceof Error ? error.name : 'network error'}`, {
        cause: error,
      });
    }
    if (response.ok) return response;
    // The same reading of GitHub's answers as the Octokit adapter's (rate limits, 404, 5xx).
    const data: unknown = await response.json().catch(() => undefined);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    throw toFleetError({ status: response.status, response: { headers, data } }, what, Date.now());
  }
}
