import { describe, expect, test } from '@jest/globals';
import { JSON_KEYS } from '../json-keys.js';
import { main } from '../../../src/sim/cli.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } },
  };
}

describe('npm start -- --door http', () => {
  test('--json prints one object with the issue-3 keys; progress goes to stderr', async () => {
    // Prepare
    const run = io();

    // Act
    const code = await main(['--door', 'http', '--scenario', 'burst', '--hours', '0.5', '--json'], run.io);

    // Assess
    expect(code).toBe(0);
    expect(run.out).toHaveLength(1);
    const summary: unknown = JSON.parse(run.out[0]!);
    expect(Object.keys(summary as object)).toEqual(JSON_KEYS);
    expect(summary).toMatchObject({ scenario: 'burst', strategy: 'quarantine', jobsKilled: 0 });
    expect(run.err.join('')).toContain('http door');
  }, 30_000);

  test('an unknown door is refused with exit 2', async () => {
    // Prepare
    const run = io();

    // Act
    const code = await main(['--door', 'carrier-pigeon', '--json'], run.io);

    // Assess
    expect(code).toBe(2);
    expect(run.out).toEqual([]);
    expect(run.err.join('')).toContain('--door');
  });
});
