/**
 * Client-side limits that follow GitHub's own, per installation (GitHub docs, "Rate limits for the
 * REST API"): the primary budget of each installation (`x-ratelimit-remaining`/`-reset` on every
 * answer), and the secondary limits: at most 900 points a minute per REST endpoint (a GET, HEAD or
 * OPTIONS costs 1 point, any other method 5) and at most 100 concurrent requests; a `retry-after`
 * pauses the installation. Calls of different installations, and of different endpoints of one
 * installation, never wait on each other — unlike @octokit/plugin-throttling's one global queue,
 * which spaces every write of the process 1 s apart.
 *
 * Time comes from the Clock port, so the simulator's virtual time drives the waits.
 */
import { RateLimitedError } from '../../errors.js';
import type { Clock } from '../../ports/clock.js';

export interface GitHubLimits {
  readonly pointsPerMinute: number;
  readonly readPoints: number;
  readonly writePoints: number;
  readonly maxConcurrent: number;
}

/** GitHub's documented secondary limits. */
export const GITHUB_SECONDARY_LIMITS: GitHubLimits = {
  pointsPerMinute: 900,
  readPoints: 1,
  writePoints: 5,
  maxConcurrent: 100,
};

const WINDOW_MS = 60_000;
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const pointsOf = (method: string, limits: GitHubLimits = GITHUB_SECONDARY_LIMITS): number =>
  READ_METHODS.has(method.toUpperCase()) ? limits.readPoints : limits.writePoints;

interface Spent {
  readonly atMs: number;
  readonly points: number;
}

/** One installation's (or the App JWT's) state. */
class Budget {
  /** No call starts before this (a retry-after, an exhausted primary budget). */
  pausedUntilMs = 0;
  inFlight = 0;
  private readonly slotWaiters: (() => void)[] = [];
  /** Points spent per endpoint (`METHOD /route`) within the last minute, oldest first. */
  private readonly spent = new Map<string, Spent[]>();

  /** How long a call to `endpoint` costing `points` must wait at `nowMs` for its minute's budget. */
  endpointWaitMs(endpoint: string, points: number, nowMs: number, limit: number): number {
    const log = (this.spent.get(endpoint) ?? []).filter((s) => s.atMs > nowMs - WINDOW_MS);
    this.spent.set(endpoint, log);
    let total = log.reduce((sum, s) => sum + s.points, 0);
    if (total + points <= limit) return 0;
    for (const s of log) {
      total -= s.points;
      if (total + points <= limit) return s.atMs + WINDOW_MS - nowMs;
    }
    return WINDOW_MS;
  }

  spend(endpoint: string, points: number, nowMs: number): void {
    const log = this.spent.get(endpoint) ?? [];
    log.push({ atMs: nowMs, points });
    this.spent.set(endpoint, log);
  }

  waitForSlot(): Promise<void> {
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  release(): void {
    this.inFlight--;
    this.slotWaiters.shift()?.();
  }
}

export class GitHubLimiter {
  private readonly budgets = new Map<string, Budget>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: GitHubLimits = GITHUB_SECONDARY_LIMITS,
  ) {}

  /**
   * Runs `call` once the installation's limits allow a `method` call to `route` (Octokit's route
   * template, e.g. `/orgs/{org}/actions/runners/{runner_id}`: one endpoint whatever the ids). A wait
   * longer than `maxWaitMs` is a RateLimitedError at once, and the call is never sent: a caller
   * with a deadline (scale-down acts only while its lease holds, `LEASE_MARGIN_SECONDS` before its
   * end) never has a write land after a wait it could not afford; the step is retried later.
   */
  async run<T>(
    installation: string,
    method: string,
    route: string,
    call: () => Promise<T>,
    maxWaitMs = Number.POSITIVE_INFINITY,
  ): Promise<T> {
    const budget = this.budget(installation);
    const endpoint = `${method.toUpperCase()} ${route}`;
    const points = pointsOf(method, this.limits);
    for (;;) {
      const now = this.clock.now();
      const waitMs = Math.max(
        budget.pausedUntilMs - now,
        budget.endpointWaitMs(endpoint, points, now, this.limits.pointsPerMinute),
      );
      if (waitMs > maxWaitMs) {
        throw new RateLimitedError(`GitHub ${endpoint}: over the installation's rate limits`, now + waitMs);
      }
      if (waitMs > 0) {
        await this.clock.sleep(waitMs);
        continue;
      }
      if (budget.inFlight >= this.limits.maxConcurrent) {
        await budget.waitForSlot();
        continue;
      }
      // Checked and spent with no await between: concurrent callers cannot both take the last points.
      budget.spend(endpoint, points, now);
      budget.inFlight++;
      break;
    }
    try {
      return await call();
    } finally {
      budget.release();
    }
  }

  /** No call of the installation starts before `untilMs` (retry-after, or the primary budget's reset). */
  pause(installation: string, untilMs: number): void {
    const budget = this.budget(installation);
    budget.pausedUntilMs = Math.max(budget.pausedUntilMs, untilMs);
  }

  /** Reads the primary budget from an answer's headers: an exhausted one pauses until its reset. */
  observe(installation: string, headers: Readonly<Record<string, string | number | undefined>>): void {
    const remaining = Number(headers['x-ratelimit-remaining']);
    const reset = Number(headers['x-ratelimit-reset']);
    if (headers['x-ratelimit-remaining'] !== undefined && remaining <= 0 && Number.isFinite(reset)) {
      this.pause(installation, reset * 1000);
    }
  }

  private budget(installation: string): Budget {
    let budget = this.budgets.get(installation);
    if (!budget) {
      budget = new Budget();
      this.budgets.set(installation, budget);
    }
    return budget;
  }
}
