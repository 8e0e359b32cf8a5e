import { createPublicKey, type KeyObject } from 'node:crypto';
import type { RunnerOwner } from '../../../ports/github.js';

/**
 * What GitHub knows about Apps: each app's public key (to verify its JWTs) and which
 * installation covers which owner. The facade asks it; the simulator can implement it over its world.
 */
export interface GitHubAppDirectory {
  publicKey(appId: string): KeyObject | undefined;
  /** The app's installation on the owner (an org's installation covers its repositories). */
  installationFor(appId: string, owner: RunnerOwner): number | undefined;
  /** The app owning an installation, if it exists. */
  appOfInstallation(installationId: number): string | undefined;
  /** Whether an installation may act on the owner's runners and jobs. */
  covers(installationId: number, owner: RunnerOwner): boolean;
}

interface Installation {
  readonly id: number;
  readonly appId: string;
  /** `org` (the org and all its repositories) or `owner/repo`. */
  readonly owners: readonly string[];
}

export class StaticAppDirectory implements GitHubAppDirectory {
  private readonly keys = new Map<string, KeyObject>();
  private readonly installations = new Map<number, Installation>();

  addApp(appId: string | number, publicKey: KeyObject | string): this {
    this.keys.set(String(appId), typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey);
    return this;
  }

  addInstallation(appId: string | number, installationId: number, owners: readonly string[]): this {
    this.installations.set(installationId, { id: installationId, appId: String(appId), owners });
    return this;
  }

  publicKey(appId: string): KeyObject | undefined {
    return this.keys.get(appId);
  }

  installationFor(appId: string, owner: RunnerOwner): number | undefined {
    for (const installation of this.installations.values()) {
      if (installation.appId === appId && matches(installation, owner)) return installation.id;
    }
    return undefined;
  }

  appOfInstallation(installationId: number): string | undefined {
    return this.installations.get(installationId)?.appId;
  }

  covers(installationId: number, owner: RunnerOwner): boolean {
    const installation = this.installations.get(installationId);
    return installation !== undefined && matches(installation, owner);
  }
}

function matches(installation: Installation, owner: RunnerOwner): boolean {
  if (owner.kind === 'org') return installation.owners.includes(owner.org);
  return installation.owners.includes(owner.owner) || installation.owners.includes(`${owner.owner}/${owner.repo}`);
}
