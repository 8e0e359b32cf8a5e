import type { PoolConfig } from '../../config/schema.js';
import type { RunnerOwner } from '../../ports/github.js';
import { parseOwner } from '../../ports/github.js';

/** How a pool's runners register: JIT (one job per registration) or a long-lived registration token. */
export type RegistrationMode = 'jit' | 'token';

/** A pool as the world knows it: its configuration (queue, launch template, labels) and owner. */
export interface PoolSpec {
  readonly name: string;
  readonly config: PoolConfig;
  readonly owner: RunnerOwner;
}

export function poolSpec(name: string, config: PoolConfig): PoolSpec {
  return { name, config, owner: parseOwner(config.owner) };
}

/** The application tag value upstream uses; naive filters on it. */
export const APPLICATION = 'github-action-runner';
