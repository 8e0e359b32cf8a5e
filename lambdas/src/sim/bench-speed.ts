import { naiveStrategy } from './baselines/naive.js';
import type { ScaleDownStrategy } from '../core/strategy.js';
import { runSimulation } from './run.js';
import { parseScenario } from './scenarios/load.js';

export interface SpeedMeasurement {
  readonly runners: number;
  readonly simulatedHours: number;
  /** Instance-hours the run simulated (the fleet's size integrated over time). */
  readonly fleetHours: number;
  readonly cpuSeconds: number;
  readonly fleetHoursPerCpuMinute: number;
  readonly events: number;
  readonly jobs: number;
}

/**
 * Speed of the in-process door (issue 3: aim ≥ 1,000 simulated fleet-hours per CPU-minute for
 * a 50-runner fleet): a reusable pool of `runners` instances kept about 80 % busy, naive scale-down
 * every 5 minutes. CPU time from `process.cpuUsage`, so other load on the machine does not count.
 */
export async function measureSpeed(
  options: { runners?: number; hours?: number; seed?: number; strategy?: ScaleDownStrategy } = {},
): Promise<SpeedMeasurement> {
  const runners = options.runners ?? 50;
  const hours = options.hours ?? 48;
  // Mean job length of the default lognormal (median 6 min, sigma 0.9) ≈ 9 min.
  const ratePerMinute = (runners * 0.8) / 9;
  const scenario = parseScenario(
    {
      name: `speed-${runners}`,
      hours,
      pools: {
        linux: {
          ephemeral: false,
          maxRunners: runners,
          prelaunch: runners,
          registration: 'token',
          idleConfig: [{ cron: '* * * * *', idleCount: runners }],
        },
      },
      workload: [{ pool: 'linux', ratePerMinute }],
    },
    'bench',
  );
  const start = process.cpuUsage();
  const result = await runSimulation({
    scenario,
    strategy: options.strategy ?? naiveStrategy,
    seed: options.seed ?? 1,
    hours,
  });
  const used = process.cpuUsage(start);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return {
    runners,
    simulatedHours: hours,
    fleetHours: result.accounting.instanceHours,
    cpuSeconds,
    fleetHoursPerCpuMinute: result.accounting.instanceHours / (cpuSeconds / 60),
    events: result.eventCount,
    jobs: result.accounting.jobsSubmitted,
  };
}
