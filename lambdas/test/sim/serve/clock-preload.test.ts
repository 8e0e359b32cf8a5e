/**
 * scripts/sim-clock.mjs (issue 12 item 8): an autoscaler that reads the wall clock, run with the
 * preload against a served world, reads the world's virtual clock instead, before and after an
 * advance. The child refreshes on the test's word (stdin), never on a timer the test would race.
 */
import { afterEach, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../../../src/sim/scenarios/load.js';
import { startServe, type ServeHandle } from '../../../src/sim/serve/serve.js';

const PRELOAD = fileURLToPath(new URL('../../../../scripts/sim-clock.mjs', import.meta.url));
const opened: ServeHandle[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((h) => h.close()));
});

/** Prints what the autoscaler would read as "now", once at start and once per line on stdin. */
const AUTOSCALER = String.raw`
const show = () => console.log(JSON.stringify({ now: Date.now(), date: new Date().getTime(), fn: typeof Date(), fixed: new Date(0).getTime(), isDate: new Date() instanceof Date }));
show();
process.stdin.on('data', async () => { await globalThis.ghrSimClock.refresh(); show(); });
`;

async function clockMs(handle: ServeHandle): Promise<number> {
  const body = (await (await fetch(`${handle.controlUrl}/control/clock`)).json()) as { nowMs: number };
  return body.nowMs;
}

test('Date reads the served world’s virtual clock, and follows an advance', async () => {
  // Prepare
  const handle = await startServe({ scenario: loadScenario('steady'), seed: 1, port: 0 });
  opened.push(handle);
  const child = spawn(process.execPath, ['--import', PRELOAD, '--input-type=module', '-e', AUTOSCALER], {
    env: { ...process.env, GHR_SIM_CONTROL: handle.controlUrl, GHR_SIM_CLOCK_REFRESH_MS: '3600000' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(String((await lines.next()).value)) as Record<string, unknown>;
  try {
    // Act
    const before = await next();
    await fetch(`${handle.controlUrl}/control/advance`, { method: 'POST', body: '{"seconds": 600}' });
    child.stdin!.write('\n');
    const after = await next();

    // Assess
    const start = (await clockMs(handle)) - 600_000;
    expect(before).toEqual({ now: start, date: start, fn: 'string', fixed: 0, isDate: true });
    expect(after).toMatchObject({ now: start + 600_000, date: start + 600_000 });
  } finally {
    child.kill();
  }
});
