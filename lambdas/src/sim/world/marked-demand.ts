import { isPastLifetime } from '../../core/lifetime.js';
import type { Ec2World } from './ec2.js';
import type { HostModel } from './host.js';
import type { SqsWorld } from './sqs.js';

/**
 * L3 of docs/safety.md on the world's truth: the longest stretch an instance stayed marked by
 * scale-down, with no job on it and younger than its pool's maximum lifetime (past it, it is never
 * given back), while its pool's job queue held messages — visible, in flight or delayed, what
 * scale-down reads as waiting demand. Such an instance could serve that demand; the protocol must
 * give it back (or finish retiring it) within one schedule period.
 */
export class MarkedDemandWatch {
  /** The longest stretch that held, in ms (open stretches count up to the last advance). */
  maxMs = 0;
  private readonly since = new Map<string, number>();

  constructor(
    private readonly ec2: Ec2World,
    private readonly hosts: HostModel,
    private readonly sqs: SqsWorld,
  ) {}

  /** The world's state held through [fromMs, toMs) (engine `onAdvance`); reads it as of `fromMs`. */
  advance(fromMs: number, toMs: number): void {
    const demand = new Map<string, boolean>();
    const holding = new Set<string>();
    for (const instance of this.ec2.marked) {
      const host = this.hosts.hosts.get(instance.id);
      if (host === undefined || host.job !== undefined) continue;
      const pool = host.pool.config;
      if (isPastLifetime(instance.launchMs, pool, fromMs)) continue;
      let waiting = demand.get(pool.queueUrl);
      if (waiting === undefined) {
        const depth = this.sqs.depth(pool.queueUrl);
        waiting = depth.visible + depth.inFlight + depth.delayed > 0;
        demand.set(pool.queueUrl, waiting);
      }
      if (!waiting) continue;
      const since = this.since.get(instance.id) ?? fromMs;
      this.since.set(instance.id, since);
      holding.add(instance.id);
      this.maxMs = Math.max(this.maxMs, toMs - since);
    }
    for (const id of this.since.keys()) if (!holding.has(id)) this.since.delete(id);
  }
}
