import type { Accounting } from '../accounting.js';
import { attributes, escapeHtml } from './escape.js';
import { RUNNER_STATES, type RunnerState, type Timeline } from './sampler.js';
import { renderChart, type Series } from './svg.js';

/** One strategy's run, as the report shows it. */
export interface ReportRun {
  readonly strategy: string;
  readonly accounting: Accounting;
  readonly timeline: Timeline;
}

export interface ReportInput {
  readonly scenario: string;
  readonly description?: string;
  readonly seed: number;
  readonly hours: number;
  readonly runs: readonly ReportRun[];
}

/** The chart kinds every report has, per run (tests look for each). */
export const CHART_KINDS = ['runners', 'queue', 'kills', 'completed'] as const;

const STATE_STYLE: Readonly<Record<RunnerState, { label: string; color: string }>> = {
  booting: { label: 'booting', color: '#9ca3af' },
  idle: { label: 'idle', color: '#60a5fa' },
  busy: { label: 'busy', color: '#16a34a' },
  between: { label: 'between registrations', color: '#c4b5fd' },
  retiring: { label: 'retiring', color: '#facc15' },
  quarantined: { label: 'quarantined', color: '#f97316' },
};

interface Field {
  readonly key: string;
  readonly label: string;
  readonly value: (a: Accounting) => number;
  /** A non-zero value is a failure of the never-kill promise (highlighted). */
  readonly zeroIsGood?: boolean;
}

/** The summary figures, in the order of the CLI's readable summary (accounting.ts). */
export const SUMMARY_FIELDS: readonly Field[] = [
  { key: 'jobsSubmitted', label: 'jobs submitted', value: (a) => a.jobsSubmitted },
  { key: 'jobsCompleted', label: 'jobs completed', value: (a) => a.jobsCompleted },
  { key: 'jobsKilled', label: 'jobs killed by the control plane', value: (a) => a.jobsKilled, zeroIsGood: true },
  {
    key: 'jobsKilledPer10k',
    label: 'killed per 10,000 jobs',
    value: (a) => (a.jobsSubmitted === 0 ? 0 : Math.round((a.jobsKilled / a.jobsSubmitted) * 100_000) / 10),
    zeroIsGood: true,
  },
  { key: 'jobsLostToSpot', label: 'jobs lost to spot', value: (a) => a.jobsLostToSpot },
  { key: 'jobsQueuedAtEnd', label: 'jobs queued at end', value: (a) => a.jobsQueuedAtEnd },
  { key: 'jobsRunningAtEnd', label: 'jobs running at end', value: (a) => a.jobsRunningAtEnd },
  { key: 'queueWaitP50', label: 'queue wait p50 (s)', value: (a) => a.queueWaitSeconds.p50 },
  { key: 'queueWaitP95', label: 'queue wait p95 (s)', value: (a) => a.queueWaitSeconds.p95 },
  { key: 'returnedToService', label: 'returned to service', value: (a) => a.returnedToService },
  { key: 'backstops', label: 'silent-agent backstops', value: (a) => a.backstops },
  { key: 'instancesLaunched', label: 'instances launched', value: (a) => a.instancesLaunched },
  { key: 'instancesLeaked', label: 'instances leaked', value: (a) => a.instancesLeaked, zeroIsGood: true },
  { key: 'instanceHours', label: 'instance-hours', value: (a) => a.instanceHours },
  { key: 'idleInstanceHours', label: 'idle instance-hours', value: (a) => a.idleInstanceHours },
  { key: 'maxSurplusIdleSeconds', label: 'max surplus idle (s)', value: (a) => a.maxSurplusIdleSeconds },
  { key: 'orphansReaped', label: 'orphans reaped', value: (a) => a.orphansReaped },
  { key: 'githubCalls', label: 'GitHub calls', value: (a) => a.githubCalls },
  { key: 'awsCalls', label: 'AWS calls', value: (a) => a.awsCalls },
  { key: 'rateLimitHits', label: 'rate-limit hits', value: (a) => a.rateLimitHits },
];

/** The few figures repeated above each run's charts in a comparison. */
const KEY_FIELDS = ['jobsCompleted', 'jobsKilled', 'queueWaitP50', 'instanceHours', 'idleInstanceHours'];

const last = (values: readonly number[]): number => values[values.length - 1] ?? 0;
const max = (values: readonly number[]): number => values.reduce((m, v) => Math.max(m, v), 0);

function cell(field: Field, run: ReportRun): string {
  const value = field.value(run.accounting);
  const flag = field.zeroIsGood ? (value === 0 ? 'good' : 'bad') : '';
  const attrs = attributes({
    class: `num ${flag}`.trim(),
    'data-strategy': run.strategy,
    'data-field': field.key,
    'data-value': value,
  });
  return `<td${attrs}>${escapeHtml(value.toLocaleString('en-US'))}</td>`;
}

function summaryTable(runs: readonly ReportRun[], fields: readonly Field[], kind: string): string {
  const head = runs.map((r) => `<th${attributes({ 'data-strategy': r.strategy })}>${escapeHtml(r.strategy)}</th>`);
  const rows = fields.map(
    (f) =>
      `<tr data-field="${escapeHtml(f.key)}"><th scope="row">${escapeHtml(f.label)}</th>${runs.map((r) => cell(f, r)).join('')}</tr>`,
  );
  if (kind === 'comparison' && runs.length > 1) {
    const first = runs[0]!;
    const base = first.accounting.instanceHours;
    const cost = runs.map((r) => {
      const pct = base === 0 ? 0 : Math.round(((r.accounting.instanceHours - base) / base) * 1000) / 10;
      const text = `${pct > 0 ? '+' : ''}${pct}%`;
      return `<td${attributes({ class: 'num', 'data-strategy': r.strategy, 'data-field': 'instanceHoursVsFirst', 'data-value': pct })}>${escapeHtml(text)}</td>`;
    });
    rows.push(
      `<tr data-field="instanceHoursVsFirst"><th scope="row">instance-hours vs ${escapeHtml(first.strategy)}</th>${cost.join('')}</tr>`,
    );
  }
  return (
    `<table class="summary"${attributes({ 'data-table': kind })}>` +
    `<thead><tr><th scope="col">figure</th>${head.join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

interface Axes {
  readonly xMax: number;
  readonly runners: number;
  readonly queue: number;
  readonly kills: number;
  readonly completed: number;
}

function sharedAxes(input: ReportInput): Axes {
  const t = input.runs.map((r) => r.timeline);
  return {
    xMax: input.hours,
    runners: Math.max(1, ...t.map((x) => max(x.instances))),
    queue: Math.max(1, ...t.map((x) => max(x.queued))),
    kills: Math.max(1, ...t.map((x) => Math.max(max(x.killed), max(x.lostToSpot)))),
    completed: Math.max(1, ...t.map((x) => max(x.completed))),
  };
}

function charts(run: ReportRun, axes: Axes): string {
  const t = run.timeline;
  const xHours = t.atMs.map((ms) => ms / 3_600_000);
  const common = { xHours, xMax: axes.xMax };
  const strategy = run.strategy;
  const runners: Series[] = RUNNER_STATES.map((state) => ({
    key: state,
    label: STATE_STYLE[state].label,
    color: STATE_STYLE[state].color,
    values: t.runners[state],
  }));
  return [
    renderChart({
      ...common,
      kind: 'runners',
      title: `Runners by state — ${strategy}`,
      yLabel: 'instances',
      yMax: axes.runners,
      stacked: true,
      series: runners,
      attrs: {
        'data-strategy': strategy,
        'data-max-runners': max(t.instances),
        'data-final-runners': last(t.instances),
      },
    }),
    renderChart({
      ...common,
      kind: 'queue',
      title: `Queue depth — ${strategy}`,
      yLabel: 'queued jobs',
      yMax: axes.queue,
      stacked: false,
      series: [{ key: 'queued', label: 'jobs waiting for a runner', color: '#2563eb', values: t.queued }],
      attrs: { 'data-strategy': strategy, 'data-max-queued': max(t.queued), 'data-final-queued': last(t.queued) },
    }),
    renderChart({
      ...common,
      kind: 'kills',
      title: `Jobs killed (cumulative) — ${strategy}`,
      yLabel: 'jobs',
      yMax: axes.kills,
      stacked: false,
      series: [
        { key: 'killed', label: 'killed by the control plane', color: '#dc2626', values: t.killed },
        { key: 'lostToSpot', label: 'lost to spot', color: '#6b7280', values: t.lostToSpot, dashed: true },
      ],
      ...(max(t.killed) + max(t.lostToSpot) === 0 ? { note: 'no job killed' } : {}),
      attrs: { 'data-strategy': strategy, 'data-kills': last(t.killed), 'data-lost-to-spot': last(t.lostToSpot) },
    }),
    renderChart({
      ...common,
      kind: 'completed',
      title: `Jobs completed (cumulative) — ${strategy}`,
      yLabel: 'jobs',
      yMax: axes.completed,
      stacked: false,
      series: [{ key: 'completed', label: 'completed', color: '#16a34a', values: t.completed }],
      attrs: { 'data-strategy': strategy, 'data-completed': last(t.completed) },
    }),
  ].join('\n');
}

const STYLE = `
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2937; margin: 24px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 24px 0 8px; } h3 { font-size: 16px; margin: 0 0 8px; }
.meta { color: #4b5563; margin: 0 0 16px; }
table.summary { border-collapse: collapse; margin: 8px 0 16px; }
table.summary th, table.summary td { border: 1px solid #d1d5db; padding: 3px 10px; }
table.summary thead th { background: #f3f4f6; }
table.summary th[scope=row] { text-align: left; font-weight: normal; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.good { background: #dcfce7; } td.bad { background: #fee2e2; font-weight: bold; }
.runs { display: grid; gap: 24px; align-items: start; }
.run { min-width: 560px; }
.charts { display: flex; flex-wrap: wrap; gap: 0 24px; }
svg.chart { display: block; margin: 0 0 12px; background: #fff; }
svg.chart text { font: 11px system-ui, sans-serif; fill: #374151; }
svg.chart .chart-title { font-size: 13px; font-weight: 600; fill: #111827; }
svg.chart .axis-label { font-size: 12px; fill: #111827; }
svg.chart .note { font-size: 14px; fill: #15803d; }
svg.chart .grid { stroke: #e5e7eb; } svg.chart .axis { stroke: #4b5563; }
`;

/** The whole page: self-contained (inline CSS and SVG, no scripts, fonts or URLs). */
export function renderReport(input: ReportInput): string {
  const compare = input.runs.length > 1;
  const strategies = input.runs.map((r) => r.strategy);
  const title = `Fleet simulator: ${input.scenario}, seed ${input.seed}, ${input.hours} h${compare ? ` — ${strategies.join(' vs ')}` : ` — ${strategies[0] ?? ''}`}`;
  const axes = sharedAxes(input);
  const keyFields = SUMMARY_FIELDS.filter((f) => KEY_FIELDS.includes(f.key));
  const columns = input.runs.map(
    (run) =>
      `<section class="run"${attributes({ 'data-run': run.strategy })}><h3>${escapeHtml(run.strategy)}</h3>` +
      (compare ? summaryTable([run], keyFields, 'figures') : '') +
      `<div class="charts">${charts(run, axes)}</div></section>`,
  );
  const meta = [
    `scenario <b>${escapeHtml(input.scenario)}</b>`,
    `seed <b>${escapeHtml(input.seed)}</b>`,
    `<b>${escapeHtml(input.hours)}</b> simulated hours`,
    `strateg${compare ? 'ies' : 'y'} <b>${escapeHtml(strategies.join(', '))}</b>`,
  ].join(' · ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body${attributes({ 'data-scenario': input.scenario, 'data-seed': input.seed, 'data-hours': input.hours, 'data-strategies': strategies.join(',') })}>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${meta}</p>
${input.description ? `<p class="description">${escapeHtml(input.description)}</p>` : ''}
<h2>${compare ? 'Comparison' : 'Summary'}</h2>
${summaryTable(input.runs, SUMMARY_FIELDS, compare ? 'comparison' : 'summary')}
<h2>Over time</h2>
<p class="meta">Sampled every simulated minute. Runners are instances alive, by what they are doing; a scale-down mark (retiring, quarantined) wins over the runner's own state.${compare ? ' Charts of one kind share their axes.' : ''}</p>
<div class="runs" style="grid-template-columns: repeat(${input.runs.length}, minmax(560px, 1fr))">
${columns.join('\n')}
</div>
</body>
</html>
`;
}
