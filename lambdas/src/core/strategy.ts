import type { ScaleDownConfig } from '../config/schema.js';
import type { Log, Metrics } from '../observability/types.js';
import type { Ports } from '../ports/index.js';

/**
 * A scale-down protocol: one scheduled run. Production runs ours (`quarantineStrategy`,
 * core/scale-down); the simulator injects the baselines it compares it with (sim/baselines)
 * through this interface, so they run on the same timeline against the same world. No baseline
 * ships: the handler and its zip know only ours.
 */
export interface ScaleDownContext {
  readonly ports: Ports;
  readonly config: ScaleDownConfig;
  readonly log: Log;
  readonly metrics: Metrics;
}

export interface ScaleDownReport {
  readonly retired: number;
  readonly quarantined: number;
  readonly returnedToService: number;
  /** Candidates left alone because a signal showed (or might show) work. */
  readonly skippedBusy: number;
  readonly orphansTerminated: number;
  /** Runs that found the lease held and did nothing. */
  readonly leaseHeld: boolean;
}

export interface ScaleDownStrategy {
  readonly name: string;
  run(context: ScaleDownContext): Promise<ScaleDownReport>;
}

export const emptyReport: ScaleDownReport = {
  retired: 0,
  quarantined: 0,
  returnedToService: 0,
  skippedBusy: 0,
  orphansTerminated: 0,
  leaseHeld: false,
};
