import { expect } from '@jest/globals';
import { runFaultClass, rowOf, type FaultMatrixRow } from '../../src/sim/faults/matrix.js';
import type { FaultRunResult } from '../../src/sim/faults/run.js';

/** Simulated hours per class through the HTTP door: short, to keep the folder near a minute on 2 cores. */
export const HTTP_HOURS = 2;

/** A JIT config the door's GitHub facade issued (base64 JSON with the runner's credential files). */
function isJitConfig(value: string): boolean {
  return Buffer.from(value, 'base64').toString('utf8').includes('.credentials_rsaparameters');
}

/**
 * One fault class, seed 1, through the HTTP door (the real webhook, scale-up and scale-down
 * handlers with production adapters against the facades), held to issue 8's promise: nothing
 * killed, nothing leaked past the class's bound, no runner config left, the degradation
 * reported (`expected` must be among it), and no secret in any log line: the scale-down log,
 * the webhook and scale-up handlers' lines and the world's events.
 */
export async function runThroughHttpDoor(
  fault: string,
  expected: readonly RegExp[],
  hours = HTTP_HOURS,
): Promise<{ row: FaultMatrixRow; result: FaultRunResult }> {
  // Act
  const results = await runFaultClass(fault, { seeds: [1], hours, door: 'http' });
  const row = rowOf(fault, 'quarantine', 'http', results);
  const result = results[0]!;
  // Assess: the promise
  expect(row).toMatchObject({ door: 'http', seeds: 1, jobsKilled: 0, instancesLeaked: 0, secretsLeft: 0 });
  expect(result.failedRuns).toBe(0);
  for (const pattern of expected) expect(row.degradation).toContainEqual(expect.stringMatching(pattern));
  // Assess: the log scan, over lines the real handlers wrote with real secrets in play
  const lines = [...result.lines, ...result.doorLines, ...result.eventLines];
  expect(result.scanner.scan(lines)).toEqual([]);
  expect(result.doorLines.length).toBeGreaterThan(100);
  expect(result.lines.some((line) => line.includes('scale-down run finished'))).toBe(true);
  const registered = result.scanner.registered();
  expect(registered.filter(isJitConfig).length).toBeGreaterThan(5);
  expect(registered.some((value) => Buffer.from(value, 'base64').toString('utf8').includes('PRIVATE KEY'))).toBe(true);
  // Non-vacuity: a line carrying one of them is caught.
  const jit = registered.find(isJitConfig)!;
  expect(result.scanner.scan([`INFO runner config {"value":"${jit}"}`])).toHaveLength(1);
  return { row, result };
}
