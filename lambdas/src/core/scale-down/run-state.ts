import type { ScaleDownConfig } from '../../config/schema.js';
import { FleetError, RateLimitedError, describeError } from '../../errors.js';
import type { Log, Metrics } from '../../observability/types.js';
import type { Ports } from '../../ports/index.js';
import { QuarantineGroups } from './quarantine.js';

/** Stops one instance's work for this run without counting an error (rate limit, blocked owner). */
export class Deferred extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'Deferred';
  }
}

export interface RunCounts {
  retired: number;
  quarantined: number;
  returnedToService: number;
  skippedBusy: number;
  orphansTagged: number;
  orphansTerminated: number;
  backstops: number;
  remarked: number;
  taken: number;
  errors: number;
}

export interface RunDeps {
  readonly ports: Ports;
  readonly config: ScaleDownConfig;
  readonly log: Log;
  readonly metrics: Metrics;
}

/**
 * What one run shares across its concurrent steps: the rate-limit blocks (a `RateLimitedError`
 * stops every further call to that owner, or to EC2, for the rest of the run: state stays as
 * it is for the next run), the counters, and the abort flag of an unexpected error.
 */
export class RunState {
  readonly blockedOwners = new Set<string>();
  ec2Blocked = false;
  aborted = false;
  readonly counts: RunCounts = {
    retired: 0,
    quarantined: 0,
    returnedToService: 0,
    skippedBusy: 0,
    orphansTagged: 0,
    orphansTerminated: 0,
    backstops: 0,
    remarked: 0,
    taken: 0,
    errors: 0,
  };
  readonly groups: QuarantineGroups;

  constructor(readonly deps: RunDeps) {
    this.groups = new QuarantineGroups(deps.ports.github, deps.config.quarantineGroupName);
  }

  now(): number {
    return this.deps.ports.clock.now();
  }

  /** Counts `name` (always emitted as a metric, which the alarms watch) and, when given, its breakdown `detail`. */
  count(name: keyof RunCounts, detail?: string, value = 1): void {
    this.counts[name] += value;
    this.deps.metrics.count(name, value);
    if (detail !== undefined && detail !== name) this.deps.metrics.count(detail, value);
  }

  /** A GitHub call on behalf of `ownerKey`, unless that owner is rate limited for this run. */
  async github<T>(ownerKey: string, call: () => Promise<T>): Promise<T> {
    if (this.aborted) throw new Deferred('run aborted');
    if (this.blockedOwners.has(ownerKey)) throw new Deferred('owner rate limited');
    try {
      return await call();
    } catch (error) {
      if (error instanceof RateLimitedError) {
        if (!this.blockedOwners.has(ownerKey)) {
          this.blockedOwners.add(ownerKey);
          this.deps.metrics.count('rateLimited');
          this.deps.log.warn('github rate limited; owner skipped for this run', {
            owner: ownerKey,
            ...(error.retryAtMs === undefined ? {} : { retryAtMs: error.retryAtMs }),
          });
        }
        throw new Deferred('owner rate limited');
      }
      throw error;
    }
  }

  async ec2<T>(call: () => Promise<T>): Promise<T> {
    if (this.aborted) throw new Deferred('run aborted');
    if (this.ec2Blocked) throw new Deferred('ec2 rate limited');
    try {
      return await call();
    } catch (error) {
      if (error instanceof RateLimitedError) {
        if (!this.ec2Blocked) this.deps.log.warn('ec2 rate limited; remaining ec2 calls skipped for this run');
        this.ec2Blocked = true;
        throw new Deferred('ec2 rate limited');
      }
      throw error;
    }
  }

  /**
   * Runs one instance's step. Deferrals and port errors end that instance's work for this run
   * (its tags say where the next run resumes); anything else is a bug: abort the run and rethrow.
   */
  async guard(attributes: Record<string, unknown>, step: () => Promise<void>): Promise<void> {
    if (this.aborted) return;
    try {
      await step();
    } catch (error) {
      if (error instanceof Deferred) {
        this.deps.log.debug('instance deferred to a later run', { ...attributes, reason: error.reason });
        return;
      }
      if (error instanceof FleetError) {
        this.count('errors');
        this.deps.log.warn('scale-down step failed', { ...attributes, error: describeError(error) });
        return;
      }
      this.aborted = true;
      throw error;
    }
  }
}
