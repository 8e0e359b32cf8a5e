import { describe, expect, test } from '@jest/globals';
import { bootTable, type BootRow } from '../../src/bench/boot.js';
import { main } from '../../src/bench/cli.js';

async function bench(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: process.env,
  });
  return { code, stdout, stderr };
}

function bootRows(stdout: string): BootRow[] {
  const parsed: unknown = JSON.parse(stdout);
  if (typeof parsed !== 'object' || parsed === null || !('boot' in parsed) || !Array.isArray(parsed.boot))
    throw new Error('expected an object with a boot array');
  return parsed.boot as BootRow[];
}

describe('bench part boot (issue 15)', () => {
  test('--only boot: a row per runner source, same seeds and hours, the cache between the AMI and GitHub', async () => {
    // Act: budget in seeds and simulated hours only
    const { code, stdout, stderr } = await bench(['--json', '--only', 'boot', '--seeds', '1', '--hours', '1']);

    // Assess
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    const rows = bootRows(stdout);
    expect(rows.map((r) => r.runnerSource)).toEqual(['cache', 'github', 'ami']);
    for (const row of rows) {
      expect(row).toMatchObject({ scenario: 'burst', strategy: 'quarantine', seeds: 1, simulatedHours: 1 });
      expect(row.jobsSubmitted).toBeGreaterThan(0);
      expect(row.queueWaitP95Seconds).toBeGreaterThanOrEqual(row.queueWaitP50Seconds);
      expect(row.instanceHours).toBeGreaterThan(0);
    }
    const [cache, github, ami] = rows;
    // Boot is on the critical path of an ephemeral pool: the source shows in boot and in queue wait.
    expect(ami!.bootP50Seconds).toBeLessThan(cache!.bootP50Seconds);
    expect(cache!.bootP50Seconds).toBeLessThan(github!.bootP50Seconds);
    expect(cache!.queueWaitP50Seconds).toBeLessThan(github!.queueWaitP50Seconds);
    expect(stderr).toContain('boot: simulations');

    // The readable table: one line per source.
    const text = bootTable(rows);
    expect(text).toContain('## Boot: queue wait by where the runner comes from');
    for (const source of ['cache', 'github', 'ami']) expect(text).toMatch(new RegExp(`^${source}\\s+\\d+`, 'm'));
  });
});
