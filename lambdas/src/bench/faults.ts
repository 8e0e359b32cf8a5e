import { runFaultMatrix, type FaultMatrixRow } from '../sim/faults/index.js';
import { table } from './table.js';

/**
 * Simulated hours of the HTTP-door rows at most: each is seed 1 through the real handlers and
 * facades (about 3 s of wall time per simulated hour and class), long enough for the crash class
 * to reach its six protocol crash points (armed at 30 to 255 minutes, sim/faults/catalog.ts).
 */
export const HTTP_DOOR_HOURS = 5;

/**
 * Issue 8's table: the eight fault classes against our protocol, zeros where the promise says zero.
 * Per class, the in-process row (the `--seeds` seeds) and one HTTP-door row (seed 1, at most
 * HTTP_DOOR_HOURS): the real webhook, scale-up and scale-down handlers through the facades.
 */
export async function runFaults(options: {
  readonly seeds: number;
  readonly hours: number;
  /** Leave out the HTTP-door rows. */
  readonly inProcessOnly?: boolean;
  readonly onProgress?: (fault: string) => void;
}): Promise<FaultMatrixRow[]> {
  const seeds = Array.from({ length: options.seeds }, (_, i) => i + 1);
  const inProcess = await runFaultMatrix({ seeds, hours: options.hours });
  if (options.inProcessOnly) return inProcess;
  const http = await runFaultMatrix({ seeds: [1], hours: httpHours(options.hours), door: 'http' });
  return inProcess.flatMap((row) => [row, ...http.filter((h) => h.fault === row.fault)]);
}

export function httpHours(hours: number): number {
  return Math.min(hours, HTTP_DOOR_HOURS);
}

export function faultTable(rows: readonly FaultMatrixRow[], hours?: number): string {
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
      `door http: seed 1 only, ${hours === undefined ? `at most ${HTTP_DOOR_HOURS}` : httpHours(hours)} simulated h (fewer than the in-process rows): the real webhook, scale-up and scale-down handlers with their production adapters against the facades; crashes gate the scale-down handler's ports`,
    ],
  );
}
