/**
 * docs/migration.md names our inputs for upstream's; this test keeps those names true. Every input
 * the guide names — each row of "Input mapping", the per-pool settings and the top-level inputs
 * it says keep their upstream names — must exist in the root module's variables (an attribute
 * path is checked against the variable's type), so a renamed or removed input fails here instead
 * of misleading a migrating user.
 */
import { beforeAll, expect, test } from '@jest/globals';
import { parse } from '@cdktf/hcl2json';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const guide = readFileSync(join(repo, 'docs', 'migration.md'), 'utf8');

/** Root variable name → its type expression as written. */
const types = new Map<string, string>();

beforeAll(async () => {
  for (const file of readdirSync(repo).filter((f) => f.endsWith('.tf'))) {
    const parsed = (await parse(file, readFileSync(join(repo, file), 'utf8'))) as {
      variable?: Record<string, { type?: string }[]>;
    };
    for (const [name, [block]] of Object.entries(parsed.variable ?? {})) types.set(name, String(block?.type ?? ''));
  }
});

const PLACEHOLDER = /^<[a-z]+>$/;

/** Whether `path` (`var.attr.attr`, placeholders like `<pool>` skipped) names an input of the root module. */
function exists(path: string): boolean {
  const [variable, ...rest] = path.split('.');
  const type = types.get(variable ?? '');
  if (type === undefined) return false;
  return rest
    .filter((segment) => !PLACEHOLDER.test(segment))
    .every((attribute) => new RegExp(`(^|[\\s{(,])${attribute}\\s*=`).test(type));
}

/** The input paths a cell names: `a.b.c`, then `.d` (a sibling of `c`) or bare `e` (a sibling too). */
function pathsOf(cell: string): string[] {
  const paths: string[] = [];
  let parent: string[] = [];
  for (const [, token] of cell.matchAll(/`([^`]+)`/g)) {
    const name = (token ?? '').replace(/\[<[a-z]+>\]/g, '.<pool>');
    if (name.startsWith('.')) paths.push([...parent, name.slice(1)].join('.'));
    else if (!name.includes('.') && parent.length > 0) paths.push([...parent, name].join('.'));
    else {
      paths.push(name);
      parent = name.split('.').slice(0, -1);
    }
  }
  return paths;
}

function mappingRows(): { upstream: string; here: string; kind: string }[] {
  const section = guide.slice(
    guide.indexOf('## Input mapping'),
    guide.indexOf('\n## ', guide.indexOf('## Input mapping') + 1),
  );
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
      return { upstream: cells[1] ?? '', here: cells[2] ?? '', kind: cells[3] ?? '' };
    });
}

test('the guide has an input mapping table', () => {
  expect(mappingRows().length).toBeGreaterThan(20);
});

test('every input the mapping table names exists in the root module', () => {
  const missing: string[] = [];
  for (const { upstream, here } of mappingRows()) {
    if (here === 'not supported' || here.includes('(output)')) continue;
    for (const path of pathsOf(here)) if (!exists(path)) missing.push(`${path} (for ${upstream})`);
  }
  expect(missing).toEqual([]);
});

test('the per-pool settings and top-level inputs said to keep their upstream names exist', () => {
  const bullet = (start: string) => {
    const from = guide.indexOf(start);
    expect(from).toBeGreaterThanOrEqual(0);
    const ends = ['\n- ', '\n\n'].map((e) => guide.indexOf(e, from + 1)).filter((i) => i > 0);
    const end = Math.min(...ends);
    // Upstream's nested objects keep their camelCase keys (idle_config.idleCount, matcherConfig.priority).
    return [...guide.slice(from, end).matchAll(/`([A-Za-z_]+)`/g)].map((m) => m[1] ?? '');
  };
  const perPool = bullet('- **Per-pool runner settings**');
  const topLevel = bullet('- Top-level');
  expect(perPool.length).toBeGreaterThan(10);
  expect(topLevel.length).toBeGreaterThan(5);
  const missing = [
    ...perPool.filter((name) => name !== 'runner_pools').map((n) => `runner_pools.<pool>.${n}`),
    ...topLevel.filter((name) => !['root', 'app', 'runners'].includes(name)),
  ].filter((path) => !exists(path));
  expect(missing).toEqual([]);
});

test('the check can fail: a name the module does not have is caught', () => {
  expect(exists('runner_pools.<pool>.no_such_setting')).toBe(false);
  expect(exists('no_such_input')).toBe(false);
  expect(pathsOf('`lambda.subnet_ids`, `lambda.security_group_ids`')).toEqual([
    'lambda.subnet_ids',
    'lambda.security_group_ids',
  ]);
  expect(pathsOf('`github_app_secrets.id`, `.key_base64`')).toEqual([
    'github_app_secrets.id',
    'github_app_secrets.key_base64',
  ]);
});

/** Upstream's inputs, as of the commit the file names (docs/upstream-inputs.json). */
const upstream = z
  .object({
    source: z.string().min(1),
    root: z.array(z.string()).min(100),
    multiRunnerConfig: z.array(z.string()).min(50),
  })
  .parse(JSON.parse(readFileSync(join(repo, 'docs', 'upstream-inputs.json'), 'utf8')));

/** The names a mapping cell lists: `a`, `b (.c)` forms reduced to the backticked names. */
function upstreamNames(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
}

test('every upstream input has a row: the table is complete', () => {
  const named = new Set(mappingRows().flatMap((row) => upstreamNames(row.upstream)));
  const missing = [...upstream.root, ...upstream.multiRunnerConfig].filter((name) => !named.has(name));
  expect(missing).toEqual([]);
});

test('each row says what kind of mapping it is, and each "different" row is explained', () => {
  const rows = mappingRows();
  expect(rows.filter((row) => !['same', 'renamed', 'different', 'not supported'].includes(row.kind))).toEqual([]);
  const section = guide.slice(guide.indexOf('## Same name, different meaning'), guide.indexOf('\n## What changes'));
  const unexplained = rows
    .filter((row) => row.kind === 'different')
    .flatMap((row) => upstreamNames(row.upstream).map((name) => name.replace(/^runner_config\./, '')))
    .filter((name) => !section.includes(`\`${name}\``));
  expect(unexplained).toEqual([]);
});
