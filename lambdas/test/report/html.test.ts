import { describe, expect, test } from '@jest/globals';
import type { Accounting } from '../../src/sim/accounting.js';
import { attributes, escapeHtml } from '../../src/sim/report/escape.js';
import { CHART_KINDS, renderReport, SUMMARY_FIELDS, type ReportRun } from '../../src/sim/report/html.js';
import { emptyTimeline, RUNNER_STATES, type Timeline } from '../../src/sim/report/sampler.js';
import { niceMax, pickIndices } from '../../src/sim/report/svg.js';

function accounting(overrides: Partial<Accounting> = {}): Accounting {
  return {
    jobsSubmitted: 120,
    jobsCompleted: 100,
    jobsKilled: 0,
    jobsKilledByCause: { terminate: 0, delete: 0, label: 0 },
    jobsLostToSpot: 0,
    jobsRequeuedAfterSpot: 0,
    jobsQueuedAtEnd: 2,
    jobsRunningAtEnd: 18,
    instancesLaunched: 40,
    instancesLeaked: 0,
    instanceHours: 12.5,
    idleInstanceHours: 1.25,
    githubCalls: 300,
    awsCalls: 400,
    githubCallsByEndpoint: {},
    awsCallsByAction: {},
    rateLimitHits: 0,
    maxSurplusIdleSeconds: 30,
    maxSilentAgentIdleSeconds: 0,
    maxOrphanSeconds: 0,
    orphansReaped: 0,
    killedJobs: [],
    queueWaitSeconds: { p50: 2.5, p95: 60, max: 90 },
    githubThrottles: 0,
    ec2Throttles: 0,
    returnedToService: 0,
    backstops: 0,
    guards: { assignedWhileQuarantining: 0, guardAFailures: 0, guardBSaves: 0 },
    guardsReported: { guardAFailed: 0, guardBSaved: 0 },
    retirementSecondsByPool: {},
    maxMarkedWithDemandSeconds: 0,
    degraded: {},
    ...overrides,
  };
}

/** A timeline of `minutes + 1` samples where every measure grows by `scale` a minute. */
function timeline(minutes: number, scale: number): Timeline {
  const t = emptyTimeline(0);
  for (let m = 0; m <= minutes; m++) {
    t.atMs.push(m * 60_000);
    for (const state of RUNNER_STATES) t.runners[state].push(m * scale);
    t.instances.push(m * scale * RUNNER_STATES.length);
    t.queued.push(m * scale);
    t.completed.push(m * scale);
    t.killed.push(m * scale);
    t.lostToSpot.push(0);
  }
  return t;
}

function run(strategy: string, scale: number, a: Partial<Accounting> = {}): ReportRun {
  return { strategy, accounting: accounting(a), timeline: timeline(60, scale) };
}

function svgTags(html: string): string[] {
  return html.match(/<svg [^>]*>/g) ?? [];
}

describe('report HTML', () => {
  test('every chart kind is present, labelled with its strategy and final figures', () => {
    // Act
    const html = renderReport({ scenario: 'steady', seed: 3, hours: 1, runs: [run('naive', 1, { jobsKilled: 60 })] });
    // Assess
    const tags = svgTags(html);
    expect(tags).toHaveLength(CHART_KINDS.length);
    for (const kind of CHART_KINDS) {
      expect(
        tags.filter((t) => t.includes(`data-chart="${kind}"`) && t.includes('data-strategy="naive"')),
      ).toHaveLength(1);
    }
    expect(html).toContain('data-kills="60"');
    expect(html).toContain('data-completed="60"');
    expect(html).toContain('data-final-queued="60"');
    for (const state of RUNNER_STATES) expect(html).toContain(`data-series="${state}"`);
    expect(html).toContain('data-legend="quarantined"');
    expect(html).toContain('simulated time (h:mm)');
    expect(html).toContain('<title>Fleet simulator: steady, seed 3, 1 h');
  });

  test('the summary table holds every accounting figure, kills flagged', () => {
    // Act
    const html = renderReport({ scenario: 's', seed: 1, hours: 1, runs: [run('naive', 1, { jobsKilled: 7 })] });
    // Assess
    for (const field of SUMMARY_FIELDS) expect(html).toContain(`data-field="${field.key}"`);
    expect(html).toMatch(/<td class="num bad" data-strategy="naive" data-field="jobsKilled" data-value="7">7<\/td>/);
    expect(html).toContain('data-field="instanceHours" data-value="12.5">12.5</td>');
    expect(html).toContain('data-table="summary"');
    expect(html).not.toContain('no job killed');
    expect(html).not.toContain('data-table="comparison"');
  });

  test('text from a scenario file is escaped everywhere', () => {
    // Prepare
    const evil = `<script>alert("x")</script>&'`;
    // Act
    const html = renderReport({
      scenario: evil,
      description: `<img src=x onerror=alert(1)>`,
      seed: 1,
      hours: 1,
      runs: [run(`"><b>`, 1)],
    });
    // Assess
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('"><b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    expect(html).toContain('data-strategy="&quot;&gt;&lt;b&gt;"');
  });

  test('self-contained: no scripts, links, fonts or URLs, and a CSP that forbids fetching', () => {
    // Act
    const html = renderReport({ scenario: 's', seed: 1, hours: 1, runs: [run('a', 1), run('b', 2)] });
    // Assess
    expect(html).not.toMatch(/https?:|<script|<link|@import|url\(|src=/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  test('a comparison puts runs side by side on shared axes, with a comparison table', () => {
    // Act
    const html = renderReport({
      scenario: 's',
      seed: 1,
      hours: 1,
      runs: [run('naive', 1, { instanceHours: 10 }), run('quarantine', 3, { instanceHours: 11 })],
    });
    // Assess
    expect(html).toContain('data-table="comparison"');
    expect(html).toContain('data-run="naive"');
    expect(html).toContain('data-run="quarantine"');
    expect(html).toContain('data-field="instanceHoursVsFirst" data-value="10">+10%</td>');
    for (const kind of CHART_KINDS) {
      const tags = svgTags(html).filter((t) => t.includes(`data-chart="${kind}"`));
      expect(tags).toHaveLength(2);
      const yMax = tags.map((t) => /data-y-max="(\d+)"/.exec(t)?.[1]);
      expect(yMax[0]).toBeDefined();
      expect(yMax[0]).toBe(yMax[1]);
    }
    expect(html).toContain('grid-template-columns: repeat(2,');
    expect(html).not.toContain('no job killed');
  });

  test('axis helpers: nice maxima, and long series thinned but keeping the last point', () => {
    expect([0, 1, 7, 12, 386, 2861].map(niceMax)).toEqual([1, 1, 8, 15, 400, 3000]);
    const picked = pickIndices(1441, 600);
    expect(picked.length).toBeLessThanOrEqual(601);
    expect(picked[0]).toBe(0);
    expect(picked[picked.length - 1]).toBe(1440);
    expect(pickIndices(5, 600)).toEqual([0, 1, 2, 3, 4]);
  });

  test('a run without kills says so on its kills chart', () => {
    // Prepare
    const quiet = run('quarantine', 1);
    const t = quiet.timeline;
    t.killed.fill(0);
    // Act
    const html = renderReport({ scenario: 's', seed: 1, hours: 1, runs: [quiet] });
    // Assess
    expect(html).toContain('data-kills="0"');
    expect(html).toMatch(/<text class="note"[^>]*>no job killed<\/text>/);
  });

  test('escape helpers', () => {
    expect(escapeHtml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&#39;');
    expect(attributes({ 'data-x': '"' })).toBe(' data-x="&quot;"');
    expect(() => attributes({ 'onload="x"': 1 })).toThrow('bad attribute name');
  });
});
