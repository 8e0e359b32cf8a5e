import type { ScaleDownConfig } from '../../config/schema.js';
import { FleetError, RateLimitedError, describeError } from '../../errors.js';
import type { Log, Metrics } from '../../observability/types.js';
import type { Ports } from '../../ports/index.js';
import { LEASE_MARGIN_MS } from './lease.js';
import { QuarantineGroups } from './quarantine.js';
import type { ObservedInstance } from './types.js';

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
  /** Marks another run took over (a newer fence) or undid since this run read them: left to it. */
  fenceLost: number;
  errors: number;
}

/** What a run needs of its lease (lease.ts): the fencing token, the expiry, and a re-check. */
export interface RunLease {
  readonly token: number;
  readonly expiresAtMs: number;
  stillHeld(): Promise<boolean>;
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
    fenceLost: 0,
    errors: 0,
  };
  /**
   * Runners this run gave back per pool. A waiting job's message stays on its queue until scale-up
   * or GitHub has dealt with it, seconds to minutes later: each later demand read of this run
   * counts it again, so what this run already gave back is subtracted (readDemand), or one job would
   * take back a candidate at every demand poll.
   */
  readonly returnedByPool = new Map<string, number>();
  readonly groups: QuarantineGroups;
  /** Set once the lease is about to expire or is lost: from then on the run only reads. */
  leaseLost = false;

  constructor(
    readonly deps: RunDeps,
    readonly lease: RunLease,
  ) {
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

  /**
   * Guarantee 4 of docs/safety.md, before each destructive call (no I/O): the lease's margin not
   * reached and not found lost. Otherwise the run stops acting; what it left is resumed later.
   */
  act(): void {
    if (!this.leaseLost && this.now() < this.lease.expiresAtMs - LEASE_MARGIN_MS) return;
    this.loseLease();
    throw new Deferred('lease expiring');
  }

  /** Before each destructive phase or batch: `act`'s check plus a re-read of the lease (one SSM read). */
  async leaseHeld(): Promise<boolean> {
    if (this.leaseLost || this.aborted) return false;
    let held = false;
    try {
      held = await this.lease.stillHeld();
    } catch (error) {
      // Not provable now: stop acting rather than act on a lease that may be another run's.
      if (!(error instanceof FleetError)) throw error;
    }
    if (!held) this.loseLease();
    return held;
  }

  private loseLease(): void {
    if (this.leaseLost) return;
    this.leaseLost = true;
    this.deps.metrics.count('leaseLost');
    this.deps.log.warn('lease about to expire or taken over; this run stops acting', {
      token: this.lease.token,
      expiresAtMs: this.lease.expiresAtMs,
    });
  }

  /** Whether this run owns the mark it read as `markMs` on the instance it re-read just now. */
  owns(instance: ObservedInstance, markMs: number): boolean {
    return instance.lifecycle?.markMs === markMs && instance.fenceToken === this.lease.token;
  }

  /** A destructive EC2 call: `act`, then `ec2`. */
  ec2Write<T>(call: () => Promise<T>): Promise<T> {
    this.act();
    return this.ec2(call);
  }

  /** A destructive GitHub call: `act`, then `github`. */
  githubWrite<T>(ownerKey: string, call: () => Promise<T>): Promise<T> {
    this.act();
    return this.github(ownerKey, call);
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
