import { TAG } from '../core/tags.js';
import type { World } from './world/world.js';

/**
 * The sandbox's live progress line (issue 7): jobs done and waiting, runners by state, kills.
 * Counts are read from the world as they stand; nothing is changed.
 */
export function progressLine(world: World, hoursDone: number, hoursTotal: number, wallSeconds: number): string {
  let done = 0;
  let queued = 0;
  let killed = 0;
  for (const job of world.github.jobs.values()) {
    if (job.status === 'completed') done++;
    else if (job.status === 'queued') queued++;
    else if (job.status === 'killed' && job.cause !== 'spot') killed++;
  }
  let booting = 0;
  let idle = 0;
  let busy = 0;
  let retiring = 0;
  for (const host of world.hosts.hosts.values()) {
    const state = host.instance.state;
    if (state !== 'pending' && state !== 'running') continue;
    if (world.ec2.readTags(host.instance)[TAG.lifecycle] !== undefined) retiring++;
    else if (host.job) busy++;
    else if (host.runnerAlive) idle++;
    else booting++;
  }
  return (
    `${hoursDone.toFixed(0)}/${hoursTotal} h · jobs ${done} done, ${queued} queued · ` +
    `runners ${booting} booting, ${idle} idle, ${busy} busy, ${retiring} retiring · killed ${killed} · ${wallSeconds.toFixed(1)} s`
  );
}
