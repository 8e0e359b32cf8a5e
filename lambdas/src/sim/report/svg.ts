import { attributes, escapeHtml } from './escape.js';

/** One line or stacked layer of a chart. */
export interface Series {
  readonly key: string;
  readonly label: string;
  readonly color: string;
  readonly values: readonly number[];
  readonly dashed?: boolean;
}

export interface ChartSpec {
  /** Stable chart kind, for `data-chart`: runners, queue, kills, completed. */
  readonly kind: string;
  readonly title: string;
  readonly yLabel: string;
  /** X of each sample, in hours since the start. */
  readonly xHours: readonly number[];
  /** Axis ends: shared by every run of a comparison so charts line up. */
  readonly xMax: number;
  readonly yMax: number;
  readonly series: readonly Series[];
  readonly stacked: boolean;
  /** Said in the middle of the plot (e.g. "no job killed" when the lines lie on the axis). */
  readonly note?: string;
  /** Extra attributes on the `<svg>` (data-strategy, data-kills, …). */
  readonly attrs: Readonly<Record<string, string | number>>;
}

const WIDTH = 560;
const PLOT = { left: 56, right: 16, top: 30, height: 170 };
const PLOT_WIDTH = WIDTH - PLOT.left - PLOT.right;
/** Long runs: at most this many points per series keep the page small (the sampler records every minute). */
const MAX_POINTS = 600;

/** 1, 2 or 5 times a power of ten, so that `max / step` is at most `ticks`. */
export function niceStep(max: number, ticks: number): number {
  const raw = Math.max(max, 1) / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return Math.max(1, m * power);
  return 10 * power;
}

export function niceMax(max: number): number {
  const step = niceStep(max, 4);
  return Math.max(step, Math.ceil(max / step) * step);
}

function hourStep(xMax: number): number {
  for (const step of [0.25, 0.5, 1, 2, 3, 4, 6, 8, 12, 24, 48, 72, 168]) if (xMax / step <= 8) return step;
  return Math.ceil(xMax / 8 / 168) * 168;
}

/** Sample indices to draw: every point, or an even stride plus the last one. */
export function pickIndices(length: number, max = MAX_POINTS): number[] {
  const stride = Math.max(1, Math.ceil(length / max));
  const indices: number[] = [];
  for (let i = 0; i < length; i += stride) indices.push(i);
  if (length > 0 && indices[indices.length - 1] !== length - 1) indices.push(length - 1);
  return indices;
}

const fmt = (n: number): string => (Math.round(n * 10) / 10).toString();

/** Whole hours as `6`; finer ticks as `1:30` (h:mm), so short runs read right. */
function hourLabel(hours: number, step: number): string {
  if (step >= 1) return String(Math.round(hours));
  const minutes = Math.round(hours * 60);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
}

function legend(series: readonly Series[], y: number): { svg: string; height: number } {
  let x = PLOT.left;
  let row = 0;
  const items: string[] = [];
  for (const s of series) {
    const width = 22 + s.label.length * 6.6;
    if (x + width > WIDTH - PLOT.right && x > PLOT.left) {
      x = PLOT.left;
      row++;
    }
    const ty = y + row * 16;
    const swatch = s.dashed
      ? `<line x1="${x}" y1="${ty - 4}" x2="${x + 12}" y2="${ty - 4}" stroke="${s.color}" stroke-width="2" stroke-dasharray="4 2"/>`
      : `<rect x="${x}" y="${ty - 9}" width="12" height="10" fill="${s.color}"/>`;
    items.push(
      `<g class="legend-item" data-legend="${escapeHtml(s.key)}">${swatch}<text x="${x + 16}" y="${ty}">${escapeHtml(s.label)}</text></g>`,
    );
    x += width + 10;
  }
  return { svg: `<g class="legend">${items.join('')}</g>`, height: (row + 1) * 16 };
}

/** A line or stacked-area chart with labelled axes and a legend, as one inline `<svg>`. */
export function renderChart(spec: ChartSpec): string {
  const xMax = Math.max(spec.xMax, 1 / 60);
  const yMax = niceMax(spec.yMax);
  const bottom = PLOT.top + PLOT.height;
  const sx = (h: number): number => PLOT.left + (Math.min(h, xMax) / xMax) * PLOT_WIDTH;
  const sy = (v: number): number => bottom - (Math.min(v, yMax) / yMax) * PLOT.height;
  const parts: string[] = [];

  const yStep = niceStep(yMax, 4);
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    const y = fmt(sy(v));
    parts.push(`<line class="grid" x1="${PLOT.left}" y1="${y}" x2="${WIDTH - PLOT.right}" y2="${y}"/>`);
    parts.push(`<text class="tick" x="${PLOT.left - 6}" y="${y}" text-anchor="end" dy="4">${fmt(v)}</text>`);
  }
  const xStep = hourStep(xMax);
  for (let h = 0; h <= xMax + 1e-9; h += xStep) {
    const x = fmt(sx(h));
    parts.push(`<line class="axis" x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 4}"/>`);
    parts.push(`<text class="tick" x="${x}" y="${bottom + 16}" text-anchor="middle">${hourLabel(h, xStep)}</text>`);
  }

  const indices = pickIndices(spec.xHours.length);
  const xs = indices.map((i) => fmt(sx(spec.xHours[i] ?? 0)));
  const base = indices.map(() => 0);
  for (const s of spec.series) {
    const tops = indices.map((i, k) => (spec.stacked ? base[k]! : 0) + (s.values[i] ?? 0));
    const top = tops.map((v, k) => `${xs[k]},${fmt(sy(v))}`);
    const attrs = attributes({
      class: 'series',
      'data-series': s.key,
      'data-last': s.values[s.values.length - 1] ?? 0,
    });
    if (spec.stacked) {
      const under = base.map((v, k) => `${xs[k]},${fmt(sy(v))}`).reverse();
      parts.push(`<path${attrs} d="M${top.join('L')}L${under.join('L')}Z" fill="${s.color}" stroke="none"/>`);
      tops.forEach((v, k) => (base[k] = v));
    } else if (top.length > 0) {
      const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
      parts.push(`<path${attrs} d="M${top.join('L')}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    }
  }

  parts.push(`<line class="axis" x1="${PLOT.left}" y1="${bottom}" x2="${WIDTH - PLOT.right}" y2="${bottom}"/>`);
  parts.push(`<line class="axis" x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${bottom}"/>`);
  if (spec.note) {
    const at = `x="${PLOT.left + PLOT_WIDTH / 2}" y="${PLOT.top + PLOT.height / 2}"`;
    parts.push(`<text class="note" ${at} text-anchor="middle">${escapeHtml(spec.note)}</text>`);
  }
  parts.push(`<text class="chart-title" x="${PLOT.left}" y="18">${escapeHtml(spec.title)}</text>`);
  parts.push(
    `<text class="axis-label" x="${PLOT.left + PLOT_WIDTH / 2}" y="${bottom + 32}" text-anchor="middle">${xStep >= 1 ? 'simulated hours' : 'simulated time (h:mm)'}</text>`,
  );
  const midY = PLOT.top + PLOT.height / 2;
  parts.push(
    `<text class="axis-label" transform="translate(14 ${midY}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.yLabel)}</text>`,
  );
  const key = legend(spec.series, bottom + 52);
  parts.push(key.svg);
  const height = bottom + 44 + key.height;

  const svgAttrs = attributes({ 'data-chart': spec.kind, ...spec.attrs, 'data-y-max': yMax, 'data-x-max': xMax });
  return (
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img"${svgAttrs}>` +
    `<title>${escapeHtml(spec.title)}</title>${parts.join('')}</svg>`
  );
}
