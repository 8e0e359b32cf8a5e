import type { PoolConfig } from '../config/schema.js';

/**
 * The hard bound on an instance's life (config/schema.ts, `maximumLifetimeHours`;
 * docs/threat-model.md, row 9), one rule for scale-down (retire whatever the tag says, never give
 * back), scale-up's recycle answer (terminate instead of reuse) and the simulator's L3 watch. The
 * launch time is EC2's, which nothing on the instance can write.
 */
export function isPastLifetime(launchTimeMs: number, pool: Pick<PoolConfig, 'maximumLifetimeHours'>, nowMs: number) {
  return nowMs - launchTimeMs >= pool.maximumLifetimeHours * 3_600_000;
}
