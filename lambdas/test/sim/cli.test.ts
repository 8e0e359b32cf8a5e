import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { JSON_KEYS } from './json-keys.js';
import { main } from '../../src/sim/cli.js';

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

describe('sim CLI', () => {
  test('--json prints exactly one JSON object with the agreed keys, the same twice', async () => {
    // Act
    const first = await cli(['--scenario', 'steady', '--strategy', 'naive', '--hours', '3', '--seed', '1', '--json']);
    const second = await cli(['--scenario', 'steady', '--strategy', 'naive', '--hours', '3', '--seed', '1', '--json']);
    // Assess
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n')).toHaveLength(1);
    const parsed: unknown = JSON.parse(first.stdout);
    expect(Object.keys(parsed as object)).toEqual(JSON_KEYS);
    expect(parsed).toMatchObject({ scenario: 'steady', strategy: 'naive', seed: 1, simulatedHours: 3 });
    expect(second.stdout).toBe(first.stdout);
  });

  test('without --json: the sandbox (http door), a readable summary on stdout, progress on stderr', async () => {
    const { code, stdout, stderr } = await cli(['--hours', '2']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/jobs killed by the control plane\s+\d+ \(/);
    expect(stderr).toMatch(
      /2\/2 h · jobs \d+ done, \d+ queued · runners \d+ booting, \d+ idle, \d+ busy, \d+ retiring · killed 0 · .* \(http door\)/,
    );
  });

  test('--door in-process: the same summary from the in-process door', async () => {
    const { code, stdout, stderr } = await cli(['--hours', '2', '--door', 'in-process']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/jobs killed by the control plane\s+0 \(/);
    expect(stderr).toContain('2/2 h · jobs');
    expect(stderr).not.toContain('http door');
  });

  test('a bad scenario file fails with a message naming the field', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'bad', pools: { linux: { maxRunners: 'many' } } }));
    try {
      // Act
      const { code, stdout, stderr } = await cli(['--scenario', file, '--json']);
      // Assess
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain('pools.linux.maxRunners');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--runner-source: the scenario boots its runners from there; a bad value is refused with the choices', async () => {
    // Act
    const bad = await cli(['--runner-source', 'floppy', '--json']);
    const ami = await cli(['--scenario', 'burst', '--runner-source', 'ami', '--hours', '1', '--json']);
    // Assess
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toContain('--runner-source: expected one of cache, github, ami, got "floppy"');
    expect(ami.code).toBe(0);
    expect(JSON.parse(ami.stdout)).toMatchObject({ scenario: 'burst', boot: { runnerSource: 'ami' } });
  });

  test('unknown strategies, bad numbers and unknown flags are refused', async () => {
    expect((await cli(['--strategy', 'yolo'])).stderr).toMatch(/unknown strategy "yolo" \(known: .*naive/);
    expect(await cli(['--seed', '-3'])).toMatchObject({ code: 2 });
    expect(await cli(['--hours', '0'])).toMatchObject({ code: 2 });
    expect(await cli(['--bogus'])).toMatchObject({ code: 2 });
  });
});
