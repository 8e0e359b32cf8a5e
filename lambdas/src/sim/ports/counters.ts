import { RateLimitedError } from '../../errors.js';
import type { WorldContext } from '../world/context.js';

/** What happens to one REST call besides rate limiting: a 5xx, or a client timeout before or after GitHub acted. */
export type GithubFault = 'none' | 'error' | 'timeout-applied' | 'timeout-lost';

/**
 * Every call through a door is counted: GitHub by endpoint with points (world-model.md:
 * mutations cost 5 points against the secondary limit), AWS by action, and rate-limit hits.
 * The primary (per installation and hour) and secondary (points per minute and endpoint)
 * limits answer RateLimitedError.
 */
export class CallCounters {
  readonly github = new Map<string, { calls: number; points: number }>();
  readonly aws = new Map<string, number>();
  rateLimitHits = 0;
  /** GitHub calls answered with a rate limit, and EC2 calls throttled (RequestLimitExceeded). */
  githubThrottles = 0;
  ec2Throttles = 0;
  /** Faults injected into calls, by kind (`error`, `timeout-applied`, `timeout-lost`). */
  readonly injected = new Map<string, number>();
  private readonly primary = new Map<string, { hour: number; used: number }>();
  private readonly secondary = new Map<string, { minute: number; points: number }>();

  constructor(private readonly ctx: WorldContext) {}

  /** Counts a GitHub call; throws RateLimitedError when a limit is exhausted. */
  githubCall(installation: string, endpoint: string, mutation: boolean): void {
    const now = this.ctx.now;
    const gh = this.ctx.params.github;
    const points = mutation ? gh.mutationPoints : 1;
    const hour = Math.floor(now / 3_600_000);
    const primary = this.primary.get(installation) ?? { hour, used: 0 };
    if (primary.hour !== hour) Object.assign(primary, { hour, used: 0 });
    this.primary.set(installation, primary);
    const minute = Math.floor(now / 60_000);
    const secondary = this.secondary.get(endpoint) ?? { minute, points: 0 };
    if (secondary.minute !== minute) Object.assign(secondary, { minute, points: 0 });
    this.secondary.set(endpoint, secondary);
    const entry = this.github.get(endpoint) ?? { calls: 0, points: 0 };
    entry.calls++;
    entry.points += points;
    this.github.set(endpoint, entry);
    if (primary.used >= gh.primaryLimitPerHour) {
      this.rateLimitHits++;
      this.githubThrottles++;
      throw new RateLimitedError('primary rate limit exhausted', (hour + 1) * 3_600_000);
    }
    if (secondary.points + points > gh.secondaryPointsPerMinute) {
      this.rateLimitHits++;
      this.githubThrottles++;
      throw new RateLimitedError('secondary rate limit', (minute + 1) * 60_000);
    }
    primary.used++;
    secondary.points += points;
  }

  /** An owner's primary budget this hour, as `x-ratelimit-*` reports it (undefined: never called). */
  primaryBudget(installation: string): { limit: number; used: number; resetMs: number } | undefined {
    const primary = this.primary.get(installation);
    if (primary === undefined) return undefined;
    const hour = Math.floor(this.ctx.now / 3_600_000);
    const used = primary.hour === hour ? primary.used : 0;
    return { limit: this.ctx.params.github.primaryLimitPerHour, used, resetMs: (hour + 1) * 3_600_000 };
  }

  /**
   * Draws the fault of one REST call (issue 8: 5xx answers and timeouts, off by default; no
   * draw at all then, so fault-free runs keep their random streams). Counted in `injected`.
   */
  githubFault(): GithubFault {
    const gh = this.ctx.params.github;
    if (gh.errorRate <= 0 && gh.timeoutRate <= 0) return 'none';
    const rng = this.ctx.rng('github.faults');
    let fault: GithubFault = 'none';
    if (rng.chance(gh.errorRate)) fault = 'error';
    else if (rng.chance(gh.timeoutRate))
      fault = rng.chance(gh.timeoutAppliedShare) ? 'timeout-applied' : 'timeout-lost';
    if (fault !== 'none') this.injected.set(fault, (this.injected.get(fault) ?? 0) + 1);
    return fault;
  }

  awsCall(action: string): void {
    this.aws.set(action, (this.aws.get(action) ?? 0) + 1);
  }

  awsThrottled(): void {
    this.rateLimitHits++;
    this.ec2Throttles++;
  }

  totalGithubCalls(): number {
    let total = 0;
    for (const entry of this.github.values()) total += entry.calls;
    return total;
  }

  totalAwsCalls(): number {
    let total = 0;
    for (const n of this.aws.values()) total += n;
    return total;
  }
}
