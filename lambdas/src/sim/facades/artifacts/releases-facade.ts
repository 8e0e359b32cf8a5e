/**
 * actions/runner's releases as GitHub serves them, over a MemoryRunnerReleases: the REST list
 * (`GET /repos/actions/runner/releases`, fields as GitHub's "List releases" answers them, asset
 * `digest` as `sha256:<hex>`) and the download path (`/<v-tag>/<asset>`, one redirect like
 * github.com's, to a second path). Failures queued on the backend answer as GitHub would.
 */
import type { IncomingMessage } from 'node:http';
import { NotFoundError, RateLimitedError } from '../../../errors.js';
import type { MemoryRunnerReleases } from '../../memory/runner-releases.js';
import { LoopbackServer, type BinaryResponse } from './listen.js';

const json = (status: number, value: unknown, headers: Record<string, string> = {}): BinaryResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(value),
});

export class ReleasesFacade {
  private readonly server = new LoopbackServer((request) => this.answer(request));

  constructor(private readonly releases: MemoryRunnerReleases) {}

  async start(): Promise<{ apiUrl: string; downloadUrl: string }> {
    const url = await this.server.start();
    return { apiUrl: `${url}/api`, downloadUrl: `${url}/download` };
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private async answer(request: IncomingMessage): Promise<BinaryResponse> {
    const path = new URL(request.url ?? '/', 'http://github').pathname;
    try {
      if (path === '/api/repos/actions/runner/releases') {
        const list = await this.releases.recent();
        return json(
          200,
          list.map((r) => ({
            tag_name: `v${r.version}`,
            draft: false,
            prerelease: false,
            published_at: new Date(r.publishedMs).toISOString(),
            body: r.notes,
            assets: r.assets.map((a) => ({
              name: a.name,
              digest: a.sha256 === undefined ? null : `sha256:${a.sha256}`,
            })),
          })),
        );
      }
      const download = /^\/download\/v([^/]+)\/([^/]+)$/.exec(path);
      if (download) return { status: 302, headers: { location: `/objects/${download[1]}/${download[2]}` } };
      const object = /^\/objects\/([^/]+)\/([^/]+)$/.exec(path);
      if (object) {
        const bytes = await this.releases.download(
          decodeURIComponent(object[1] ?? ''),
          decodeURIComponent(object[2] ?? ''),
        );
        return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: bytes };
      }
      return json(404, { message: 'Not Found' });
    } catch (error) {
      if (error instanceof RateLimitedError)
        return json(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0', 'retry-after': '60' });
      if (error instanceof NotFoundError) return json(404, { message: 'Not Found' });
      return json(502, { message: 'Bad Gateway' });
    }
  }
}
