import type { WorldContext } from './context.js';

export interface InstallationToken {
  readonly token: string;
  readonly installationId: number;
  readonly expiresAtMs: number;
}

/**
 * Installation access tokens (`POST /app/installations/{id}/access_tokens`): valid for
 * `installationTokenSeconds` (GitHub docs: 1 h). The HTTP facade checks the app JWT itself
 * and asks this model for tokens; the in-process door needs none.
 */
export class InstallationTokens {
  private readonly tokens = new Map<string, InstallationToken>();
  private seq = 0;

  constructor(private readonly ctx: WorldContext) {}

  issue(installationId: number): InstallationToken {
    const token: InstallationToken = {
      token: `ghs_sim${String(++this.seq).padStart(30, '0')}`,
      installationId,
      expiresAtMs: this.ctx.now + this.ctx.params.github.installationTokenSeconds * 1000,
    };
    this.tokens.set(token.token, token);
    this.ctx.record('gh.token', { installation: installationId });
    return token;
  }

  /** The installation a token is valid for now, or undefined (unknown or expired). */
  verify(token: string): number | undefined {
    const found = this.tokens.get(token);
    if (!found || found.expiresAtMs <= this.ctx.now) return undefined;
    return found.installationId;
  }
}
