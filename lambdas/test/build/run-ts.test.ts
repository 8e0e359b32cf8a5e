/**
 * scripts/run-ts.mjs, which `npm start` and `npm run bench` go through (issue 12 item 8): processes
 * started at once each run from a bundle of their own, so none imports another's half-written
 * file, and no bundle is left behind.
 */
import { expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const ENTRY = 'lambdas/test/build/fixtures/where-am-i.ts';
const RUN_DIR = join(ROOT, 'dist', '.run');

const script = `import('./scripts/run-ts.mjs').then(async (m) => process.exit(await m.runTs(${JSON.stringify(ENTRY)}, [])))`;

test('processes started together run from bundles of their own, removed once loaded', async () => {
  // Act: three at once
  const outputs = await Promise.all([1, 2, 3].map(() => run(process.execPath, ['-e', script], { cwd: ROOT })));

  // Assess
  const files = outputs.map(({ stdout }) => fileURLToPath(stdout.trim()));
  expect(new Set(files).size).toBe(3);
  for (const file of files) {
    expect(file.startsWith(RUN_DIR)).toBe(true);
    expect(existsSync(file)).toBe(false);
  }
  const left = existsSync(RUN_DIR)
    ? readdirSync(RUN_DIR).filter((f) => f.startsWith('lambdas_test_build_fixtures'))
    : [];
  expect(left).toEqual([]);
});
