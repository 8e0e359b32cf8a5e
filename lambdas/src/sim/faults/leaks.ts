import type { World } from '../world/world.js';

/**
 * Instances leaked past their bound, as `accounting.ts` counts them (live, no job, without a
 * runner for longer than boot timeout + two schedules, plus the backstop wait for a silent
 * agent), with `slackMs` more: the time a fault class may stretch the bound by (a primary rate
 * limit stops every GitHub read of the owner until its reset, and with it every decision).
 */
export function instancesLeakedPast(world: World, scheduleMinutes: number, slackMs: number): number {
  const end = world.now;
  let leaked = 0;
  for (const instance of world.ec2.instances.values()) {
    const live = instance.state === 'pending' || instance.state === 'running';
    const host = world.hosts.hosts.get(instance.id);
    if (!live || !host || host.job) continue;
    const pool = world.pools.get(instance.pool);
    const silentAgentMs = !host.agent.alive ? 2 * (pool?.config.maxJobDurationMinutes ?? 360) * 60_000 : 0;
    const bound = ((pool?.config.bootTimeoutMinutes ?? 8) + 2 * scheduleMinutes) * 60_000 + silentAgentMs + slackMs;
    const offlineSince = host.offlineSinceMs;
    if (offlineSince !== undefined && end - offlineSince > bound) leaked++;
  }
  return leaked;
}
