import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { z } from 'zod';
import { main } from '../../src/sim/cli.js';
import { defaultReportPath, parseStrategyList } from '../../src/sim/report/cli.js';

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'report-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sim CLI reports', () => {
  test('--report FILE writes the page and prints its path last', async () => {
    // Prepare
    const file = join(dir, 'nested', 'one.html');
    // Act
    const { code, stdout } = await cli(['--hours', '1', '--strategy', 'naive', '--report', file]);
    // Assess
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n').pop()).toBe(`report: ${file}`);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('data-chart="runners" data-strategy="naive"');
  });

  test('--json --report: stdout is only the JSON object; the path goes to stderr', async () => {
    // Prepare
    const file = join(dir, 'json.html');
    // Act
    const { code, stdout, stderr } = await cli(['--hours', '1', '--json', '--report', file]);
    // Assess
    expect(code).toBe(0);
    const parsed = z.object({ jobsCompleted: z.number() }).passthrough().parse(JSON.parse(stdout));
    expect(parsed).toMatchObject({ scenario: 'steady', strategy: 'quarantine' });
    expect(stderr).toContain(`report: ${file}`);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain(`data-field="jobsCompleted" data-value="${parsed.jobsCompleted}"`);
  });

  test('without --report a readable run writes the default report', async () => {
    // Prepare
    const expected = defaultReportPath('steady', ['naive'], 424_242);
    rmSync(expected, { force: true });
    // Act
    const { code, stdout } = await cli(['--hours', '0.5', '--strategy', 'naive', '--seed', '424242']);
    // Assess
    expect(code).toBe(0);
    expect(expected).toBe(join('reports', 'steady-naive-seed424242.html'));
    expect(stdout).toContain(`report: ${expected}`);
    expect(existsSync(expected)).toBe(true);
    rmSync(expected, { force: true });
  });

  test('--compare --json prints one object with a runs array and writes no report', async () => {
    // Act
    const { code, stdout } = await cli([
      '--compare',
      'naive,quarantine',
      '--scenario',
      'lag-heavy',
      '--hours',
      '2',
      '--seed',
      '77',
      '--json',
    ]);
    // Assess
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const parsed = z
      .object({ scenario: z.string(), seed: z.number(), runs: z.array(z.object({ strategy: z.string() })) })
      .passthrough()
      .parse(JSON.parse(stdout));
    expect(parsed).toMatchObject({ scenario: 'lag-heavy', seed: 77, simulatedHours: 2 });
    expect(parsed.runs.map((r) => r.strategy)).toEqual(['naive', 'quarantine']);
    expect(existsSync(defaultReportPath('lag-heavy', ['naive', 'quarantine'], 77))).toBe(false);
  });

  test('--compare prints a side-by-side table and one comparison report', async () => {
    // Prepare
    const file = join(dir, 'compare.html');
    // Act
    const { code, stdout } = await cli(['--compare', 'naive,quarantine', '--hours', '1', '--report', file]);
    // Assess
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\s+naive\s+quarantine$/m);
    expect(stdout).toMatch(/^jobs killed by the control plane\s+\d+\s+\d+$/m);
    expect(stdout).toMatch(/^instance-hours vs naive\s+0%\s+[+-]?[\d.]+%$/m);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('data-table="comparison"');
    expect(html).toContain('data-run="quarantine"');
  });

  test('bad --compare lists fail with a message', async () => {
    expect(() => parseStrategyList('naive,naive')).toThrow('"naive" is listed twice');
    expect(() => parseStrategyList(' , ')).toThrow('comma-separated');
    const { code, stderr } = await cli(['--compare', 'naive,nope', '--json']);
    expect(code).toBe(1);
    expect(stderr).toContain('unknown strategy "nope"');
  });

  test('default paths are safe file names', () => {
    expect(defaultReportPath('../my scenario', ['a', 'b'], 2)).toBe(
      join('reports', '.._my_scenario-compare-a-b-seed2.html'),
    );
  });
});
