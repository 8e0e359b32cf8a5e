/**
 * docs/threat-model.md names, for each control, the `terraform test` runs and jest tests that show it
 * (`<file> "<run>"`, further runs of the same file as `"<run>"` after a comma). A renamed or
 * deleted run must not leave the table pointing at nothing.
 */
import { expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

/** `file "a", "b"; other "c"` → [['file','a'], ['file','b'], ['other','c']]. */
function citedRuns(cell: string): Array<[string, string]> {
  const cited: Array<[string, string]> = [];
  for (const group of cell.split(';')) {
    const match = /^\s*([a-z_]+) ("[^"]+"(?:, "[^"]+")*)/.exec(group);
    if (match === null) continue;
    for (const run of (match[2] ?? '').matchAll(/"([^"]+)"/g)) cited.push([match[1] ?? '', run[1] ?? '']);
  }
  return cited;
}

test('every terraform test run the threat model cites exists', () => {
  // Prepare
  const rows = readFileSync(join(repo, 'docs', 'threat-model.md'), 'utf8')
    .split('\n')
    .filter((line) => /^\|\s*\d+\s*\|/.test(line));
  const cited = rows.flatMap((row) => citedRuns(row.split('|').at(-2) ?? ''));

  // Act
  const missing = cited.filter(([file, run]) => {
    const path = join(repo, 'tests', `${file}.tftest.hcl`);
    return !existsSync(path) || !readFileSync(path, 'utf8').includes(`run "${run}" {`);
  });

  // Assess
  expect(rows.length).toBeGreaterThan(20);
  expect(cited.length).toBeGreaterThan(30);
  expect(missing).toEqual([]);
});

/** `jest: \`a.test.ts\` "name", "name"; \`b.test.ts\`` → [['a.test.ts','name'], …, ['b.test.ts', undefined]]. */
function citedJest(cell: string): Array<[string, string | undefined]> {
  const cited: Array<[string, string | undefined]> = [];
  const jest = /jest: (.*?)(?:;\s*[a-z_]+ "|$)/.exec(cell)?.[1] ?? '';
  for (const group of jest.split(/(?=`[^`]+\.test\.ts`)/)) {
    const file = /`([^`]+\.test\.ts)`/.exec(group)?.[1];
    if (file === undefined) continue;
    const names = [...group.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    if (names.length === 0) cited.push([file, undefined]);
    for (const name of names) cited.push([file, name]);
  }
  return cited;
}

test('every jest file and test name the threat model cites exists', () => {
  // Prepare
  const rows = readFileSync(join(repo, 'docs', 'threat-model.md'), 'utf8')
    .split('\n')
    .filter((line) => /^\|\s*\d+\s*\|/.test(line));
  const cited = rows.flatMap((row) => citedJest(row.split('|').at(-2) ?? ''));

  // Act
  const missing = cited.filter(([file, name]) => {
    const path = join(repo, 'lambdas', 'test', file);
    return !existsSync(path) || (name !== undefined && !readFileSync(path, 'utf8').includes(name));
  });

  // Assess
  expect(cited.length).toBeGreaterThan(10);
  expect(missing).toEqual([]);
});
