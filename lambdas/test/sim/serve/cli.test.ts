import { describe, expect, test } from '@jest/globals';
import { main } from '../../../src/sim/cli.js';

/** Captures the CLI's output and resolves `banner` once the control URL has been printed. */
function io() {
  const out: string[] = [];
  const err: string[] = [];
  let found: (url: string) => void = () => {};
  const banner = new Promise<string>((resolve) => (found = resolve));
  const write = (text: string): void => {
    err.push(text);
    const url = /control API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(err.join(''))?.[1];
    if (url !== undefined) found(url);
  };
  return { out, err, banner, io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write } } };
}

async function post(url: string, body?: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'POST', ...(body === undefined ? {} : { body }) });
  const parsed: unknown = await response.json();
  if (typeof parsed !== 'object' || parsed === null) throw new Error('not JSON');
  return Object.fromEntries(Object.entries(parsed));
}

describe('npm start -- --serve', () => {
  test('prints the endpoints and an example curl, serves until POST /control/shutdown, exits 0', async () => {
    // Prepare
    const run = io();

    // Act
    const exit = main(['--serve', '--port', '0', '--scenario', 'burst', '--seed', '3'], run.io);
    const controlUrl = await run.banner;
    const clock = await post(`${controlUrl}/control/advance`, '{"seconds": 60}');
    await post(`${controlUrl}/control/shutdown`);
    const code = await exit;

    // Assess
    expect(code).toBe(0);
    expect(clock).toMatchObject({ elapsedSeconds: 60, seed: 3, scenario: 'burst' });
    const text = run.err.join('');
    expect(text).toContain('GitHub');
    expect(text).toContain('/api/v3');
    expect(text).toContain(`curl -s -X POST ${controlUrl}/control/advance -d '{"seconds": 600}'`);
    expect(text).toContain('no control plane inside');
    expect(run.out).toEqual([]);
  }, 30_000);

  test('--with-control-plane runs our handlers inside: advancing launches instances', async () => {
    // Prepare
    const run = io();

    // Act
    const exit = main(['--serve', '--port', '0', '--scenario', 'burst', '--with-control-plane'], run.io);
    const controlUrl = await run.banner;
    await post(`${controlUrl}/control/advance`, '{"seconds": 900}');
    const accounting: unknown = await (await fetch(`${controlUrl}/control/accounting`)).json();
    await post(`${controlUrl}/control/shutdown`);
    const code = await exit;

    // Assess
    expect(code).toBe(0);
    expect(accounting).toMatchObject({ strategy: 'quarantine', jobsKilled: 0 });
    if (typeof accounting !== 'object' || accounting === null || !('instancesLaunched' in accounting)) {
      throw new Error('no accounting');
    }
    expect(accounting.instancesLaunched).toBeGreaterThan(0);
    expect(run.err.join('')).toContain('ours inside: webhook, scale-up, scale-down (quarantine)');
  }, 60_000);

  test.each([
    [['--serve', '--port', '70000'], '--port'],
    [['--serve', '--port', '-1'], '--port'],
    [['--serve', '--port', 'eighty'], '--port'],
    [['--port', '8080'], '--port needs --serve'],
    [['--with-control-plane'], '--with-control-plane needs --serve'],
    [['--serve', '--json'], '--serve runs until shutdown'],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    // Prepare
    const run = io();

    // Act
    const code = await main(args, run.io);

    // Assess
    expect(code).toBe(2);
    expect(run.err.join('')).toContain(message);
  });
});
