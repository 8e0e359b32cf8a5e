import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { main } from '../../src/sim/cli.js';

/**
 * Opens generated reports in headless Chromium (Debian's `chromium` package driven by
 * playwright-core, issue 7). A missing browser fails the suite: CI installs it (.ci/run).
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Summary {
  readonly strategy: string;
  readonly jobsSubmitted: number;
  readonly jobsCompleted: number;
  readonly jobsKilled: number;
  readonly jobsQueuedAtEnd: number;
  readonly instancesLaunched: number;
  readonly instanceHours: number;
  readonly githubCalls: number;
  readonly awsCalls: number;
}

function isSummary(value: unknown): value is Summary {
  if (typeof value !== 'object' || value === null) return false;
  const keys = ['jobsSubmitted', 'jobsCompleted', 'jobsKilled', 'jobsQueuedAtEnd', 'instancesLaunched'];
  return 'strategy' in value && keys.every((k) => k in value && typeof Reflect.get(value, k) === 'number');
}

/** Runs the CLI with `--json --report FILE`: the JSON is the accounting the page must show. */
async function generate(argv: string[], file: string): Promise<unknown> {
  let stdout = '';
  let stderr = '';
  const code = await main([...argv, '--json', '--report', file], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  if (code !== 0) throw new Error(`sim CLI exited ${code}: ${stderr}`);
  return JSON.parse(stdout);
}

let dir: string;
let context: BrowserContext | undefined;
/** Requests the page made to anything but its own file (it must make none). */
const requests: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'report-browser-'));
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the report's browser test needs Chromium. Install it with ` +
        '`apt-get update && apt-get install -y chromium` (Debian package; .ci/run does this in CI).',
    );
  }
  context = await chromium.launchPersistentContext(join(dir, 'user-data'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1300, height: 900 },
  });
});

afterAll(async () => {
  await context?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(file: string): Promise<Page> {
  if (!context) throw new Error('Chromium did not start (see the beforeAll error)');
  const page = await context.newPage();
  page.on('request', (request) => {
    if (!request.url().startsWith('file://')) requests.push(request.url());
  });
  await page.goto(pathToFileURL(file).href);
  return page;
}

/** The number in a summary cell, and the same figure as the cell's data attribute. */
async function figure(page: Page, strategy: string, field: string, table = 'summary'): Promise<number[]> {
  const cell = page.locator(`table[data-table="${table}"] td[data-strategy="${strategy}"][data-field="${field}"]`);
  const text = (await cell.textContent()) ?? '';
  return [Number(text.replace(/,/g, '')), Number(await cell.getAttribute('data-value'))];
}

async function chartAttr(page: Page, kind: string, strategy: string, name: string): Promise<number> {
  return Number(await page.locator(`svg[data-chart="${kind}"][data-strategy="${strategy}"]`).getAttribute(name));
}

/** Every chart is drawn: visible, with its series and legend. */
async function expectCharts(page: Page, strategy: string): Promise<void> {
  for (const kind of ['runners', 'queue', 'kills', 'completed']) {
    const svg = page.locator(`svg[data-chart="${kind}"][data-strategy="${strategy}"]`);
    await expect(svg.count()).resolves.toBe(1);
    const box = await svg.boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    expect(box?.height).toBeGreaterThan(150);
    expect(await svg.locator('path.series').count()).toBeGreaterThan(0);
    expect(await svg.locator('.legend-item').count()).toBeGreaterThan(0);
    expect(await svg.locator('text.axis-label').count()).toBe(2);
  }
  const runners = page.locator(`svg[data-chart="runners"][data-strategy="${strategy}"]`);
  expect(await runners.locator('.legend-item').count()).toBe(6);
}

async function screenshot(page: Page, name: string): Promise<void> {
  const path = join(dir, name);
  await page.screenshot({ path, fullPage: true });
  const png = readFileSync(path);
  expect(png.length).toBeGreaterThan(10_000);
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
}

describe('HTML report in Chromium', () => {
  test('a single run: title, summary matching the accounting, every chart drawn, a screenshot', async () => {
    // Prepare
    const file = join(dir, 'steady.html');
    const summary = await generate(['--scenario', 'steady', '--strategy', 'quarantine', '--hours', '2'], file);
    if (!isSummary(summary)) throw new Error(`unexpected --json output: ${JSON.stringify(summary)}`);
    // Act
    const page = await open(file);
    // Assess
    expect(await page.title()).toContain('steady, seed 1, 2 h');
    await expectCharts(page, 'quarantine');
    for (const field of [
      'jobsSubmitted',
      'jobsCompleted',
      'jobsKilled',
      'instancesLaunched',
      'instanceHours',
    ] as const) {
      expect(await figure(page, 'quarantine', field)).toEqual([summary[field], summary[field]]);
    }
    expect(await chartAttr(page, 'kills', 'quarantine', 'data-kills')).toBe(summary.jobsKilled);
    expect(await chartAttr(page, 'completed', 'quarantine', 'data-completed')).toBe(summary.jobsCompleted);
    expect(await chartAttr(page, 'queue', 'quarantine', 'data-final-queued')).toBe(summary.jobsQueuedAtEnd);
    await screenshot(page, 'steady.png');
    expect(requests).toEqual([]);
  });

  test('--compare naive,quarantine on lag-heavy: naive kills, quarantine does not, in figures and charts', async () => {
    // Prepare
    const file = join(dir, 'compare.html');
    const output = await generate(
      ['--scenario', 'lag-heavy', '--compare', 'naive,quarantine', '--hours', '3', '--seed', '1'],
      file,
    );
    const runs: unknown[] =
      typeof output === 'object' && output !== null && 'runs' in output && Array.isArray(output.runs)
        ? output.runs
        : [];
    const [naive, quarantine] = runs;
    if (!isSummary(naive) || !isSummary(quarantine)) throw new Error(`unexpected --json: ${JSON.stringify(output)}`);
    // Act
    const page = await open(file);
    // Assess
    expect(await page.title()).toContain('naive vs quarantine');
    expect(naive.jobsKilled).toBeGreaterThan(0);
    expect(quarantine.jobsKilled).toBe(0);
    for (const run of [naive, quarantine]) {
      await expectCharts(page, run.strategy);
      expect(await figure(page, run.strategy, 'jobsKilled', 'comparison')).toEqual([run.jobsKilled, run.jobsKilled]);
      expect(await figure(page, run.strategy, 'jobsKilled', 'figures')).toEqual([run.jobsKilled, run.jobsKilled]);
      expect(await chartAttr(page, 'kills', run.strategy, 'data-kills')).toBe(run.jobsKilled);
    }
    // Side by side on shared axes: the two kills charts sit in one row with the same scale.
    const left = await page.locator('svg[data-chart="kills"][data-strategy="naive"]').boundingBox();
    const right = await page.locator('svg[data-chart="kills"][data-strategy="quarantine"]').boundingBox();
    expect(right?.x).toBeGreaterThan((left?.x ?? 0) + (left?.width ?? 0) - 1);
    expect(right?.y).toBe(left?.y);
    expect(await chartAttr(page, 'kills', 'quarantine', 'data-y-max')).toBe(
      await chartAttr(page, 'kills', 'naive', 'data-y-max'),
    );
    await expect(page.locator('td.bad[data-strategy="naive"][data-field="jobsKilled"]').count()).resolves.toBe(2);
    await screenshot(page, 'compare.png');
    expect(requests).toEqual([]);
  });
});
