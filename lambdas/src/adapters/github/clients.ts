import type { GitHubConfig } from '../../config/schema.js';
import type { Clock } from '../../ports/clock.js';
import { ownerKey, type RunnerOwner } from '../../ports/github.js';
import type { AppCredentials, AppCredentialsProvider } from './credentials.js';
import { toFleetError } from './errors.js';
import { GitHubLimiter } from './limiter.js';
import { createOctokit, type FleetOctokitClient, type OctokitSettings } from './octokit.js';

/**
 * One Octokit per installation, built on the current app credentials. Installation tokens are
 * created and refreshed by @octokit/auth-app inside each client. When SSM yields a different app id
 * or key, every client (and its tokens) is dropped; installation ids survive only a key rotation.
 */
export class GitHubClients {
  private readonly baseUrl: string;
  private generation = -1;
  private appId: string | undefined;
  private appClient: FleetOctokitClient | undefined;
  private readonly installationClients = new Map<number, FleetOctokitClient>();
  private readonly installationIds = new Map<string, Promise<number>>();
  /** Each installation's limits, kept across client rebuilds (a key rotation does not reset GitHub's count). */
  private readonly limiter: GitHubLimiter;

  constructor(
    private readonly config: Pick<GitHubConfig, 'apiUrl' | 'installationIds'>,
    private readonly credentials: AppCredentialsProvider,
    private readonly clock: Clock,
    private readonly settings: OctokitSettings,
  ) {
    // github.com: https://api.github.com; GHES: https://HOST/api/v3.
    this.baseUrl = config.apiUrl.replace(/\/+$/, '');
    this.limiter = new GitHubLimiter(clock);
  }

  async forOwner(owner: RunnerOwner): Promise<FleetOctokitClient> {
    const credentials = await this.current();
    const installationId = await this.installationId(owner, credentials);
    let client = this.installationClients.get(installationId);
    if (!client) {
      client = createOctokit(
        this.baseUrl,
        { credentials, installationId, now: () => this.clock.now(), limiter: this.limiter },
        this.settings,
      );
      this.installationClients.set(installationId, client);
    }
    return client;
  }

  private async current(): Promise<AppCredentials> {
    const credentials = await this.credentials.get();
    if (credentials.generation !== this.generation) {
      this.generation = credentials.generation;
      this.appClient = undefined;
      this.installationClients.clear();
      if (credentials.appId !== this.appId) this.installationIds.clear();
      this.appId = credentials.appId;
    }
    return credentials;
  }

  private installationId(owner: RunnerOwner, credentials: AppCredentials): Promise<number> {
    const key = ownerKey(owner);
    const configured =
      this.config.installationIds[key] ??
      (owner.kind === 'repo' ? this.config.installationIds[owner.owner] : undefined);
    if (configured !== undefined) return Promise.resolve(configured);
    let pending = this.installationIds.get(key);
    if (!pending) {
      pending = this.lookUp(owner, credentials);
      this.installationIds.set(key, pending);
      // A failed look-up is not cached: the next call asks again.
      pending.catch(() => this.installationIds.delete(key));
    }
    return pending;
  }

  /** GET /orgs/{org}/installation or /repos/{owner}/{repo}/installation, authenticated as the app (JWT). */
  private async lookUp(owner: RunnerOwner, credentials: AppCredentials): Promise<number> {
    this.appClient ??= createOctokit(
      this.baseUrl,
      { credentials, now: () => this.clock.now(), limiter: this.limiter },
      this.settings,
    );
    const client = this.appClient;
    try {
      const response =
        owner.kind === 'org'
          ? await client.request('GET /orgs/{org}/installation', { org: owner.org })
          : await client.request('GET /repos/{owner}/{repo}/installation', { owner: owner.owner, repo: owner.repo });
      return response.data.id;
    } catch (error) {
      throw toFleetError(error, `installation look-up for ${ownerKey(owner)}`, this.clock.now());
    }
  }
}
