/**
 * GitHub's secondary rate limits as the facade enforces them (GitHub docs, "Rate limits for the
 * REST API", "About secondary rate limits"): per caller, at most 900 points a minute on each REST
 * endpoint (GET, HEAD and OPTIONS 1 point, other methods 5) and at most 100 concurrent requests.
 * Over either, GitHub answers 403 "You have exceeded a secondary rate limit" with `retry-after`.
 * Modelled here independently of the adapter's limiter, so a mistake in one is not mirrored in
 * the other. The caller is the installation (its token) or the App (its JWT).
 */
import type { Clock } from '../../../ports/clock.js';

export interface SecondaryLimits {
  readonly pointsPerMinute: number;
  readonly maxConcurrent: number;
}

export const GITHUB_SECONDARY: SecondaryLimits = { pointsPerMinute: 900, maxConcurrent: 100 };

const MINUTE_MS = 60_000;

export interface SecondaryVerdict {
  /** Seconds until the call would be allowed, when it is refused now. */
  readonly retryAfterSeconds?: number;
}

export class SecondaryLimitCounter {
  private readonly spent = new Map<string, { atMs: number; points: number }[]>();
  private readonly inFlight = new Map<string, number>();
  /** Refusals so far, per `caller endpoint`. */
  readonly refused = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: SecondaryLimits = GITHUB_SECONDARY,
  ) {}

  /** Admits the call (counting its points and its slot) or says how long to wait. */
  admit(caller: string, method: string, endpoint: string): SecondaryVerdict {
    const now = this.clock.now();
    const key = `${caller} ${endpoint}`;
    const points = ['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase()) ? 1 : 5;
    const window = (this.spent.get(key) ?? []).filter((s) => s.atMs > now - MINUTE_MS);
    this.spent.set(key, window);
    const used = window.reduce((sum, s) => sum + s.points, 0);
    const busy = this.inFlight.get(caller) ?? 0;
    if (used + points > this.limits.pointsPerMinute || busy >= this.limits.maxConcurrent) {
      this.refused.set(key, (this.refused.get(key) ?? 0) + 1);
      let freed = 0;
      const until = window.find((s) => (freed += s.points) >= used + points - this.limits.pointsPerMinute);
      const waitMs = busy >= this.limits.maxConcurrent ? 1_000 : (until?.atMs ?? now) + MINUTE_MS - now;
      return { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    }
    window.push({ atMs: now, points });
    this.inFlight.set(caller, busy + 1);
    return {};
  }

  /** The admitted call has been answered. */
  done(caller: string): void {
    this.inFlight.set(caller, Math.max(0, (this.inFlight.get(caller) ?? 1) - 1));
  }
}
