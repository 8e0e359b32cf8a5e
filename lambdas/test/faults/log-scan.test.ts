import { describe, expect, test } from '@jest/globals';
import { faultScenarioNames } from '../../src/sim/faults/catalog.js';
import { runFaultClass } from '../../src/sim/faults/matrix.js';
import type { FaultRunResult } from '../../src/sim/faults/run.js';
import { SecretScanner } from '../../src/sim/faults/secrets.js';

/**
 * Issue 8, security: no log line produced across the fault matrix contains the app key, an
 * installation token, a JIT config or the webhook secret.
 *
 * The in-process door reads no app key or webhook secret and mints no installation token: the
 * run plants the key and the secret in SSM (where the handlers' config points) and registers
 * them, and plants a JIT-config stand-in as each instance's runner config in SSM, which the code
 * under test does handle: scale-down's housekeeping reads those parameters (values included)
 * with GetParametersByPath and deletes the stale ones. The scan covers the scale-down log of
 * every level and slot and the world's event log; installation-token and private-key shapes
 * are matched by pattern too.
 */
describe('log scan across the fault matrix', () => {
  test('no secret in any log line, and the scan would have seen one', async () => {
    // Prepare / Act
    const results: FaultRunResult[] = [];
    for (const fault of faultScenarioNames()) {
      results.push(...(await runFaultClass(fault, { seeds: [1, 2] })));
      results.push(...(await runFaultClass(fault, { seeds: [3], strategy: 'naive' })));
    }
    // Assess
    let lines = 0;
    for (const r of results) {
      lines += r.lines.length + r.eventLines.length + r.doorLines.length;
      expect(r.scanner.scan([...r.lines, ...r.eventLines, ...r.doorLines])).toEqual([]);
    }
    expect(lines).toBeGreaterThan(10_000);
    // The secrets really went through the code under test: configs were swept (read by path).
    expect(results.some((r) => (r.metrics.get('runnerConfigsSwept') ?? 0) > 0)).toBe(true);
    // Non-vacuity: a line carrying a registered value is caught.
    const [first] = results;
    const planted = first!.scanner.registered();
    expect(planted.length).toBeGreaterThan(3);
    for (const value of planted.slice(0, 5)) {
      expect(first!.scanner.scan([`INFO runner config swept {"value":"${value}"}`])).toHaveLength(1);
    }
  });

  test('token and key shapes are caught without registration', () => {
    const scanner = new SecretScanner();
    expect(
      scanner.scan([
        'token ghs_16C7e42F292c6912E7710c838347Ae178B4a',
        '-----BEGIN RSA PRIVATE KEY-----',
        'nothing here',
        'runner configs swept {"swept":3}',
      ]),
    ).toHaveLength(2);
  });
});
