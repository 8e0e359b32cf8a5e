import { runFaultMatrix, type FaultMatrixRow } from '../sim/faults/index.js';
import { table } from './table.js';

/** Issue 8's table: the eight fault classes against our protocol, zeros where the promise says zero. */
export async function runFaults(options: {
  readonly seeds: number;
  readonly hours: number;
  readonly onProgress?: (fault: string) => void;
}): Promise<FaultMatrixRow[]> {
  const seeds = Array.from({ length: options.seeds }, (_, i) => i + 1);
  return runFaultMatrix({ seeds, hours: options.hours });
}

export function faultTable(rows: readonly FaultMatrixRow[]): string {
  return table(
    'Faults: our protocol (quarantine) under each fault class',
    [
      'fault',
      'door',
      'seeds',
      'KILLED',
      'leaked',
      'secrets left',
      'GitHub calls',
      'lost to spot',
      'degradation reported',
    ],
    rows.map((r) => [
      r.fault,
      r.door,
      r.seeds,
      r.jobsKilled,
      r.instancesLeaked,
      r.secretsLeft,
      r.githubCalls,
      r.jobsLostToSpot,
      r.degradation.slice(0, 3).join('; '),
    ]),
    [
      'leaked: past boot timeout + 2 schedules (+ 60 min for github-rate-limits: nothing is decided for an owner until its limit resets)',
      'secrets left: runner configs whose instance has been gone longer than the housekeeping grace + 2 schedules',
    ],
  );
}
